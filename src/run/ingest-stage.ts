// The ingest stage of a run: tonight's export read, validated and staged in throwaway SQLite files beside
// the state file (src/state/staging.ts), every rejected row into rejects.csv.
import type { IngestProgress, IngestResult } from '../base/export-shapes.ts';
import type { PulledExport } from '../base/run-shapes.ts';
import { ingestExport } from '../ingest/ingest-export.ts';
import type { StagingArea } from '../state/staging.ts';
import type { RunContext } from './run-context.ts';

export async function readExport(run: RunContext, pulled: PulledExport, staging: StagingArea): Promise<IngestResult> {
  const { config, logger, progress } = run;
  logger.info({ stage: 'ingest', export: pulled.id, files: pulled.files.map((file) => file.name) }, 'reading export');
  const ingest = await ingestExport(pulled.files, staging, {
    config,
    onReject: (reject) => run.rejects.add(reject),
    ...(config.shard && { filter: { shard: config.shard } }),
    threads: config.ingestThreads,
    // A column the last successful run had must still be there, unless clearing is allowed tonight.
    ...(!config.allowMassClear && { previousColumns: run.runs.lastColumnsByKind() ?? {} }),
    ...(progress && { onProgress: (read: IngestProgress) => progress.ingest(read) }),
  });
  // Item rows whose member is not in the members file are found (and rejected) while planning: the
  // run's total of rejected rows is in 'plan ready' and 'run finished', as in the report.
  logger.info({ stage: 'ingest', rows: ingest.rowsRead, rejectedWhileReading: ingest.rowsRejected }, 'export read');
  return ingest;
}

/** Leftovers are not the run's concern: the next run's staging area removes them (removeStaleStaging). */
export function removeStaging(run: RunContext, staging: StagingArea): void {
  try {
    staging.remove();
  } catch (error) {
    run.logger.warn({ stage: 'ingest', dir: staging.dir, error: (error as Error).message }, 'could not remove the staging files');
  }
}
