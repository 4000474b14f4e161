// Retention of run report folders (`<report-dir>/<runId>/`): a folder whose run started more than
// `olderThanDays` days ago is removed, except the newest `keepNewest` runs (the trend of the last runs
// stays readable after a pause) and the current one. latest.json, metrics*.prom and any name that is not a
// run id are left alone. The age comes from the run id (its start time), so a copied folder keeps its age.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const RUN_FOLDER = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{3})?Z-[0-9a-f]+$/;
const DAY_MS = 86_400_000;

export interface ReportRetention {
  olderThanDays: number;
  now: Date;
  keepNewest: number;
  currentRunId: string;
}

/** Removes expired run folders; returns their names. */
export function pruneReportFolders(reportDir: string, retention: ReportRetention): string[] {
  let names: string[];
  try {
    names = readdirSync(reportDir);
  } catch {
    return [];
  }
  const cutoff = retention.now.getTime() - retention.olderThanDays * DAY_MS;
  const runs = names
    .map((name) => ({ name, startedAt: startOf(name) }))
    .filter((run): run is { name: string; startedAt: number } => run.startedAt !== undefined && statSync(join(reportDir, run.name)).isDirectory())
    .sort((a, b) => b.startedAt - a.startedAt || (a.name < b.name ? 1 : -1));
  const expired = runs.slice(retention.keepNewest).filter((run) => run.startedAt <= cutoff && run.name !== retention.currentRunId);
  for (const run of expired) rmSync(join(reportDir, run.name), { recursive: true, force: true });
  return expired.map((run) => run.name);
}

function startOf(name: string): number | undefined {
  const match = RUN_FOLDER.exec(name);
  if (!match) return undefined;
  const [, y, m, d, hh, mm, ss, fraction = ''] = match;
  const time = Date.parse(`${y}-${m}-${d}T${hh}:${mm}:${ss}${fraction}Z`);
  return Number.isNaN(time) ? undefined : time;
}
