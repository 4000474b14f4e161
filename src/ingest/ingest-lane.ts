// A lane ingests some kinds of an export, one after the other, each into its own staging file. Lanes
// run side by side: one on the main thread, others in worker threads (ingest-worker.ts).
import type { IngestConfig } from '../config/schema.ts';
import { openStagingWriter } from '../state/staging-writer.ts';
import { ingestFile, type FileSinks } from './ingest-file.ts';
import { rowSchemas } from './row-schemas.ts';
import type { IngestedFile, IngestFile, RowFilter } from './types.ts';

/** The part of the config ingest needs; plain data, so it can be handed to a worker thread. */
export type LaneConfig = Pick<IngestConfig, 'defaultCountry' | 'timeZone' | 'currency' | 'dialect' | 'columns'>;

export function laneConfigOf(config: IngestConfig): LaneConfig {
  const { defaultCountry, timeZone, currency, dialect, columns } = config;
  return { defaultCountry, timeZone, currency, dialect, columns };
}

/** Ingests `files` (grouped by kind, in order) into `stagingDir`. */
export async function ingestLane(files: readonly IngestFile[], stagingDir: string, config: LaneConfig, filter: RowFilter, sinks: FileSinks): Promise<IngestedFile[]> {
  const schemas = rowSchemas({ defaultCountry: config.defaultCountry, timeZone: config.timeZone, currency: config.currency, dateFormat: config.dialect.dateFormat });
  const summaries: IngestedFile[] = [];
  for (const kind of new Set(files.map((file) => file.kind))) {
    const writer = openStagingWriter(stagingDir, kind);
    try {
      for (const file of files.filter((candidate) => candidate.kind === kind)) summaries.push(await ingestFile(file, writer, schemas, config as IngestConfig, filter, sinks));
    } finally {
      writer.close();
    }
  }
  return summaries;
}
