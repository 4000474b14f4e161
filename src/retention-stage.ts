// Retention at the end of a non-dry run (README "Privacy"): report folders past --report-retention-days,
// a drop folder's archive/ and failed/ entries past --archive-retention-days. It never fails the run:
// what could not be removed becomes a warning, and the next run tries again.
import type { RunConfig } from './config/schema.ts';
import type { Logger } from './log.ts';
import { pruneReportFolders } from './report/report-retention.ts';
import { TREND_RUNS } from './report/run-trend.ts';
import type { Source } from './sources/source.ts';

export interface Expired {
  reportFolders: string[];
  dropFolder: string[];
  warnings: string[];
}

export async function pruneExpired(config: RunConfig, source: Source, runId: string, now: Date, logger: Logger): Promise<Expired> {
  const expired: Expired = { reportFolders: [], dropFolder: [], warnings: [] };
  if (config.archiveRetentionDays > 0 && source.prune) {
    try {
      expired.dropFolder = await source.prune(config.archiveRetentionDays, logger);
    } catch (error) {
      expired.warnings.push(`could not remove expired exports from the drop folder: ${(error as Error).message}`);
    }
  }
  if (config.reportRetentionDays > 0) {
    try {
      // The newest runs stay whatever their age, so a report after a long pause still has its neighbours.
      expired.reportFolders = pruneReportFolders(config.reportDir, { olderThanDays: config.reportRetentionDays, now, keepNewest: TREND_RUNS, currentRunId: runId });
    } catch (error) {
      expired.warnings.push(`could not remove expired report folders: ${(error as Error).message}`);
    }
  }
  if (expired.reportFolders.length + expired.dropFolder.length > 0) {
    logger.info({ stage: 'report', reportFolders: expired.reportFolders.length, dropFolder: expired.dropFolder.length }, 'removed what is past its retention');
  }
  return expired;
}
