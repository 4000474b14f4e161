// One file → validated rows in its kind's staging file, bad rows → rejects. One streaming pass (after the
// inspection pass); memory stays flat whatever the file size.
import type { IngestConfig } from '../config/schema.ts';
import { shardFilter } from '../base/shard.ts';
import { maskPhoneNumber } from '../privacy/phone-numbers.ts';
import type { OnDuplicate, StagingWriter } from '../state/staging-writer.ts';
import { resolveColumns, shownHeader, type ColumnHeaders, type ColumnLayout } from './columns.ts';
import { inspectFile } from './inspect-file.ts';
import { KINDS } from '../base/kinds.ts';
import { readCsvRecords, type CsvRecord } from './read-records.ts';
import { RowCells, type RowSchemas } from './row-schemas.ts';
import { shownValue } from './shown-value.ts';
import type { IngestedFile, IngestFile, IngestProgress, Reject, RowFilter } from '../base/export-shapes.ts';
import { INVALID_BYTE_MARK, markedByte } from './utf8-bytes.ts';

export interface FileSinks {
  onReject: (reject: Reject) => void;
  onProgress?: (progress: IngestProgress) => void;
}

interface Problem {
  column: string;
  reason: string;
  value?: string;
}

export async function ingestFile(
  file: IngestFile,
  writer: StagingWriter,
  schemas: RowSchemas,
  config: Pick<IngestConfig, 'dialect' | 'columns'>,
  previousColumns: ColumnHeaders | undefined,
  filter: RowFilter,
  sinks: FileSinks,
): Promise<IngestedFile> {
  const inspection = await inspectFile(file.path, file.name, config.dialect);
  const summary: IngestedFile = { ...inspection, kind: file.kind, name: file.name, rows: 0, rejected: 0, unattributable: 0, malformed: 0 };
  const skip = rowSkipper(filter);
  let layout: ColumnLayout | undefined;
  let cells: RowCells | undefined;
  let inFileTerms: (reason: string) => string = (reason) => reason;
  const reject = (line: number, contactId: string | undefined, problems: readonly Problem[]) => {
    summary.rejected++;
    for (const problem of problems) sinks.onReject({ file: file.name, line, column: problem.column, reason: problem.reason, ...(problem.value && { value: problem.value }), contactId });
    if (contactId) writer.addRejectedContact(contactId, { file: file.name, line, column: problems[0]!.column, reason: problems[0]!.reason });
    else summary.unattributable++;
  };
  // Rows still in the writer's batch are written first, so that their duplicates are reported before this
  // row's problem: rejects stay in line order.
  const rejectRow = (record: CsvRecord, contactId: string | undefined, problems: readonly Problem[]) => {
    writer.flush();
    reject(record.line, contactId, problems);
  };
  const onDuplicate: OnDuplicate = ({ contactId, itemId, line, earlierLine }) => {
    const key = file.kind === 'members' ? 'contact_id' : KINDS[file.kind].itemIdColumn!;
    const column = layout!.headers[key] ?? key;
    reject(line, contactId, [{ column, reason: `duplicate key: the same ${column} is on an earlier line`, value: `${shownValue(itemId ?? contactId)} (first on line ${earlierLine})` }]);
  };

  await readCsvRecords(
    file.path,
    file.name,
    inspection,
    (record) => {
      if (!layout) {
        layout = resolveColumns(file.kind, record.fields, { mapping: config.columns[file.kind], ...(previousColumns && { previous: previousColumns }) }, file.name);
        summary.columns = layout.headers;
        inFileTerms = fileTermsOf(layout.headers);
        cells = new RowCells(layout.indexes);
        return;
      }
      cells!.fields = record.fields;
      const contactId = cells!.get('contact_id')?.trim() || undefined;
      if (contactId && skip?.(contactId)) return;
      summary.rows++;
      // A row whose shape is broken may hold parts of others: besides its own reject, it makes the whole
      // file doubtful (see summarise in ingest-export.ts).
      const shape =
        (inspection.invalidUtf8 && undecodable(record.fields, layout)) ||
        checkFieldCount(record.fields, layout.fieldCount) ||
        (file.kind === 'members' && record.lines > 1 && lineBreakIn(record.fields, layout));
      if (shape) {
        summary.malformed++;
        return rejectRow(record, contactId, [shape]);
      }
      const parsed = schemas[file.kind].safeParse(cells);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
          const column = String(issue.path[0] ?? '');
          return { column: layout!.headers[column] ?? column, reason: inFileTerms(issue.message), value: shown(column, cells!.get(column)) };
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
  if (filter.contactId !== undefined) return (contactId) => contactId !== filter.contactId;
  const inShard = shardFilter(filter.shard);
  return inShard && ((contactId) => !inShard(contactId));
}

/** Short rows mean a broken line; extra non-empty fields mean an unquoted delimiter inside a value. */
function checkFieldCount(fields: string[], expected: number): Problem | undefined {
  if (fields.length < expected) return { column: '', reason: `expected ${expected} fields as in the header`, value: `${fields.length} fields` };
  for (let i = expected; i < fields.length; i++) {
    if (fields[i]!.trim() !== '') {
      return { column: '', reason: `expected ${expected} fields as in the header (is a value with a delimiter missing its quotes?)`, value: `${fields.length} fields` };
    }
  }
  return undefined;
}

/**
 * No member column holds a line break: one there means a quote opened in one row and closed in a later
 * one, and the rows between were swallowed into this value (the field count can still look right).
 */
function lineBreakIn(fields: readonly string[], layout: ColumnLayout): Problem | undefined {
  for (const [column, index] of layout.indexes) {
    const value = fields[index];
    if (value && /[\r\n]/.test(value)) {
      return { column: layout.headers[column] ?? column, reason: 'expected no line break (is a quote not closed where it should be?)', value: shownValue(value) };
    }
  }
  return undefined;
}

/** The first field holding a byte that was not valid UTF-8 (marked by read-records). */
function undecodable(fields: string[], layout: ColumnLayout): Problem | undefined {
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (!INVALID_BYTE_MARK.test(field)) continue;
    return { column: shownHeader(layout.names[i] ?? ''), reason: `invalid UTF-8 byte ${markedByte(field)}`, value: shownValue(field) };
  }
  return undefined;
}

/** A value as a reject shows it: phone numbers masked, long values cut, nothing unprintable. */
function shown(column: string, value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  return column === 'phone_number' ? maskPhoneNumber(shownValue(text)) : shownValue(text);
}

/** Reasons name other columns by our names (`expected at most stamps_required`): say them as the file does. */
function fileTermsOf(headers: ColumnHeaders): (reason: string) => string {
  // Only snake_case names: `amount` or `title` are also words of the reasons themselves.
  const renamed = Object.entries(headers).filter(([column, header]) => column.includes('_') && column !== header);
  if (renamed.length === 0) return (reason) => reason;
  const names = new Map(renamed);
  const pattern = new RegExp(`\\b(${renamed.map(([column]) => column).join('|')})\\b`, 'g');
  return (reason) => reason.replace(pattern, (column) => names.get(column)!);
}
