// Retention at the end of a non-dry run (README "Privacy"): report folders past --report-retention-days,
// a drop folder's archive/ and failed/ entries past --archive-retention-days. It never fails the run:
// what could not be removed becomes a warning, and the next run tries again.
import type { RunConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { pruneReportFolders } from '../report/report-retention.ts';
import { TREND_RUNS } from '../report/run-trend.ts';
import type { Source } from '../sources/source.ts';

export interface Expired {
  reportFolders: string[];
  dropFolder: string[];
  warnings: string[];
}

export async function pruneExpired(config: RunConfig, source: Source, runId: string, now: Date, logger: Logger): Promise<Expired> {
  const expired: Expired = { reportFolders: [], dropFolder: [], warnings: [] };
  if (config.archiveRetentionDays > 0 && source.prune) {
    try {
      const pruned = await source.prune(config.archiveRetentionDays, logger);
      expired.dropFolder = pruned.removed;
      expired.warnings.push(...pruned.problems.map((problem) => `could not remove an expired export from the drop folder: ${problem}`));
    } catch (error) {
      expired.warnings.push(`could not remove expired exports from the drop folder: ${(error as Error).message}`);
    }
  }
  if (config.reportRetentionDays > 0) {
    // The newest runs stay whatever their age, so a report after a long pause still has its neighbours.
    const pruned = pruneReportFolders(config.reportDir, { olderThanDays: config.reportRetentionDays, now, keepNewest: TREND_RUNS, currentRunId: runId });
    expired.reportFolders = pruned.removed;
    expired.warnings.push(...pruned.problems.map((problem) => `could not remove an expired report folder: ${problem}`));
  }
  if (expired.reportFolders.length + expired.dropFolder.length > 0) {
    logger.info({ stage: 'report', reportFolders: expired.reportFolders.length, dropFolder: expired.dropFolder.length }, 'removed what is past its retention');
  }
  return expired;
}
