// One file → validated rows in its kind's staging file, bad rows → rejects. One streaming pass (after the
// inspection pass); memory stays flat whatever the file size.
import type { IngestConfig } from '../config/schema.ts';
import { shardOf } from '../plan/shard.ts';
import { maskPhoneNumber } from '../privacy/phone-numbers.ts';
import type { OnDuplicate, StagingWriter } from '../state/staging-writer.ts';
import { resolveColumns, type ColumnLayout } from './columns.ts';
import { inspectFile } from './inspect-file.ts';
import { KINDS } from './kinds.ts';
import { readCsvRecords, type CsvRecord } from './read-records.ts';
import type { RowSchemas } from './row-schemas.ts';
import type { IngestedFile, IngestFile, IngestProgress, Reject, RowFilter } from './types.ts';

export interface FileSinks {
  onReject: (reject: Reject) => void;
  onProgress?: (progress: IngestProgress) => void;
}

export async function ingestFile(
  file: IngestFile,
  writer: StagingWriter,
  schemas: RowSchemas,
  config: IngestConfig,
  filter: RowFilter,
  sinks: FileSinks,
): Promise<IngestedFile> {
  const inspection = await inspectFile(file.path, config.dialect);
  const summary: IngestedFile = { ...inspection, kind: file.kind, name: file.name, rows: 0, rejected: 0, unattributable: 0 };
  const skip = rowSkipper(filter);
  let layout: ColumnLayout | undefined;
  const reject = (line: number, contactId: string | undefined, problems: { column: string; reason: string }[]) => {
    summary.rejected++;
    for (const problem of problems) sinks.onReject({ file: file.name, line, column: problem.column, reason: problem.reason, contactId });
    if (contactId) writer.addRejectedContact(contactId, { file: file.name, line, ...problems[0]! });
    else summary.unattributable++;
  };
  // Rows still in the writer's batch are written first, so that their duplicates are reported before this
  // row's problem: rejects stay in line order.
  const rejectRow = (record: CsvRecord, contactId: string | undefined, problems: { column: string; reason: string }[]) => {
    writer.flush();
    reject(record.line, contactId, problems);
  };
  const onDuplicate: OnDuplicate = ({ contactId, line, earlierLine }) => {
    const key = file.kind === 'members' ? 'contact_id' : KINDS[file.kind].itemIdColumn!;
    reject(line, contactId, [{ column: layout!.headers.get(key) ?? key, reason: `duplicate key: the same ${key} is already on line ${earlierLine}` }]);
  };

  await readCsvRecords(
    file.path,
    file.name,
    inspection,
    (record) => {
      if (!layout) {
        layout = resolveColumns(file.kind, record.fields, config.columns[file.kind], file.name);
        return;
      }
      const raw = rawRow(record.fields, layout);
      const contactId = raw.contact_id?.trim() || undefined;
      if (contactId && skip?.(contactId)) return;
      summary.rows++;
      const shape = checkFieldCount(record.fields, layout.fieldCount);
      if (shape) return rejectRow(record, contactId, [{ column: '', reason: shape }]);
      const parsed = schemas[file.kind].safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
          const column = String(issue.path[0] ?? '');
          return { column: layout!.headers.get(column) ?? column, reason: describe(issue.message, column, raw[column]) };
        });
        return rejectRow(record, contactId, problems);
      }
      const row = parsed.data as { contactId: string; itemId?: string; doc: { phoneNumber?: string } };
      writer.add(row.contactId, row.itemId, file.name, record.line, row.doc.phoneNumber, JSON.stringify(row.doc), onDuplicate);
    },
    (bytes) => sinks.onProgress?.({ file: file.name, rows: summary.rows, bytes, totalBytes: inspection.bytes }),
  );
  writer.flush();
  return summary;
}

function rowSkipper(filter: RowFilter): ((contactId: string) => boolean) | undefined {
  const { shard, contactId: only } = filter;
  if (only !== undefined) return (contactId) => contactId !== only;
  if (shard && shard.count > 1) return (contactId) => shardOf(contactId, shard.count) !== shard.index;
  return undefined;
}

function rawRow(fields: string[], layout: ColumnLayout): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const [column, index] of layout.indexes) raw[column] = fields[index];
  return raw;
}

/** Short rows mean a broken line; extra non-empty fields mean an unquoted delimiter inside a value. */
function checkFieldCount(fields: string[], expected: number): string | undefined {
  if (fields.length < expected) return `expected ${expected} fields as in the header, got ${fields.length}`;
  for (let i = expected; i < fields.length; i++) {
    if (fields[i]!.trim() !== '') return `expected ${expected} fields as in the header, got ${fields.length} (is a value with a delimiter missing its quotes?)`;
  }
  return undefined;
}

function describe(message: string, column: string, value: string | undefined): string {
  const text = value?.trim() ?? '';
  if (!text) return message;
  const shown = column === 'phone_number' ? maskPhoneNumber(text) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `${message}, got "${shown}"`;
}
