// A lane ingests some kinds of an export, one after the other, each into its own staging file. Lanes
// run side by side: one on the main thread, others in worker threads (ingest-worker.ts).
import type { IngestConfig } from '../config/schema.ts';
import { openStagingWriter } from '../state/staging-writer.ts';
import type { ColumnHeaders } from './columns.ts';
import { ingestFile, type FileSinks } from './ingest-file.ts';
import type { ExportKind } from '../base/kinds.ts';
import { rowSchemas } from './row-schemas.ts';
import type { IngestedFile, IngestFile, RowFilter } from '../base/export-shapes.ts';

/** Per kind, the columns its file had in the last successful run (they must still be there). */
export type PreviousColumns = Partial<Record<ExportKind, ColumnHeaders>>;

/** The part of the config ingest needs; plain data, so it can be handed to a worker thread. */
export type LaneConfig = Pick<IngestConfig, 'defaultCountry' | 'timeZone' | 'currency' | 'dialect' | 'columns'> & { previousColumns: PreviousColumns };

export function laneConfigOf(config: IngestConfig, previousColumns: PreviousColumns = {}): LaneConfig {
  const { defaultCountry, timeZone, currency, dialect, columns } = config;
  return { defaultCountry, timeZone, currency, dialect, columns, previousColumns };
}

/** Ingests `files` (grouped by kind, in order) into `stagingDir`. */
export async function ingestLane(files: readonly IngestFile[], stagingDir: string, config: LaneConfig, filter: RowFilter, sinks: FileSinks): Promise<IngestedFile[]> {
  const { defaultCountry, timeZone, currency, dialect } = config;
  const schemas = rowSchemas({ defaultCountry, timeZone, currency, dateFormat: dialect.dateFormat, validToDate: dialect.validToDate });
  const summaries: IngestedFile[] = [];
  for (const kind of new Set(files.map((file) => file.kind))) {
    const writer = openStagingWriter(stagingDir, kind);
    try {
      for (const file of files.filter((candidate) => candidate.kind === kind)) {
        summaries.push(await ingestFile(file, writer, schemas, config, config.previousColumns[kind], filter, sinks));
      }
    } finally {
      writer.close();
    }
  }
  return summaries;
}
