// A run's id: its start time (UTC, compact) and a random suffix, e.g. `20261125T020000.123Z-1a2b3c`. It names
// the run's report folder, so the folder's age can be read from its name.
import { randomBytes } from 'node:crypto';
import { formatUtc } from './time.ts';

const RUN_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{3})?Z-[0-9a-f]+$/;

export function newRunId(startedAt: Date): string {
  return `${formatUtc(startedAt.getTime()).replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/** When the run named `runId` started (epoch ms), or undefined for a name that is not a run id. */
export function startOfRunId(runId: string): number | undefined {
  const match = RUN_ID.exec(runId);
  if (!match) return undefined;
  const [, y, m, d, hh, mm, ss, fraction = ''] = match;
  const time = Date.parse(`${y}-${m}-${d}T${hh}:${mm}:${ss}${fraction}Z`);
  return Number.isNaN(time) ? undefined : time;
}
