// Retention of run report folders (`<report-dir>/<runId>/`): a folder whose run started more than
// `olderThanDays` days ago is removed, except the newest `keepNewest` runs (the trend of the last runs
// stays readable after a pause) and the current one. latest.json, metrics*.prom and any name that is not a
// run id are left alone. The age comes from the run id (its start time), so a copied folder keeps its age.
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startOfRunId } from '../base/run-id.ts';
import { daysBefore } from '../base/time.ts';
import type { Pruned } from '../base/run-shapes.ts';

export interface ReportRetention {
  olderThanDays: number;
  now: Date;
  /** Runs kept whatever their age, the current one included. */
  keepNewest: number;
  currentRunId: string;
}

/** Removes expired run folders (by name); one that cannot be removed does not stop the others. */
export function pruneReportFolders(reportDir: string, retention: ReportRetention): Pruned {
  const pruned: Pruned = { removed: [], problems: [] };
  let names: string[];
  try {
    names = readdirSync(reportDir);
  } catch {
    return pruned;
  }
  const cutoff = daysBefore(retention.now, retention.olderThanDays).getTime();
  const runs = names
    .map((name) => ({ name, startedAt: startOfRunId(name) }))
    .filter((run): run is { name: string; startedAt: number } => run.startedAt !== undefined && run.name !== retention.currentRunId)
    .filter((run) => lstatSync(join(reportDir, run.name), { throwIfNoEntry: false })?.isDirectory() === true)
    .sort((a, b) => b.startedAt - a.startedAt || (a.name < b.name ? 1 : -1));
  // The current run counts among the newest, whether or not its folder exists yet.
  const expired = runs.slice(Math.max(0, retention.keepNewest - 1)).filter((run) => run.startedAt <= cutoff);
  for (const { name } of expired) {
    try {
      rmSync(join(reportDir, name), { recursive: true, force: true });
      pruned.removed.push(name);
    } catch (error) {
      pruned.problems.push(`${join(reportDir, name)}: ${(error as Error).message}`);
    }
  }
  return pruned;
}
