// Ingest: every file of an export → validated rows in staging, bad rows → rejects. One streaming pass per
// file (after the inspection pass); memory stays flat whatever the file size.
import type { IngestConfig } from '../config/schema.ts';
import type { Staging } from '../state/staging.ts';
import { resolveColumns, type ColumnLayout } from './columns.ts';
import { inspectFile, type FileInspection } from './inspect-file.ts';
import { KINDS, type ExportKind, type ItemKind } from './kinds.ts';
import { maskPhoneNumber } from './phone.ts';
import { readCsvRecords, type CsvRecord } from './read-records.ts';
import { rowSchemas, type RowSchemas } from './row-schemas.ts';

export interface IngestFile {
  kind: ExportKind;
  /** Name shown in reports and rejects (relative to the export). */
  name: string;
  /** Local path to read. */
  path: string;
}

export interface Reject {
  file: string;
  line: number;
  /** The column as the file's header names it; empty when the problem is the row as a whole. */
  column: string;
  reason: string;
  contactId?: string;
}

export interface IngestedFile extends FileInspection {
  kind: ExportKind;
  name: string;
  rows: number;
  rejected: number;
}

export interface IngestResult {
  files: IngestedFile[];
  rowsRead: number;
  rowsRejected: number;
  /** Item kinds the export carries trustworthy information on (file present, every row attributable). */
  trustedKinds: Set<ItemKind>;
  /** False when a members row could not be attributed to a contact: deletions are then not safe. */
  membersComplete: boolean;
  warnings: string[];
}

export interface IngestProgress {
  file: string;
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface IngestOptions {
  config: IngestConfig;
  onReject: (reject: Reject) => void;
  /** Rows of other shards are skipped before validation (`--shard i/N`). */
  inShard?: (contactId: string) => boolean;
  onProgress?: (progress: IngestProgress) => void;
}

const KIND_ORDER: readonly ExportKind[] = ['members', 'coupons', 'stampCards', 'bonusChecks'];

export async function ingestExport(files: readonly IngestFile[], staging: Staging, options: IngestOptions): Promise<IngestResult> {
  const { config } = options;
  const schemas = rowSchemas({ defaultCountry: config.defaultCountry, timeZone: config.timeZone, currency: config.currency, dateFormat: config.dialect.dateFormat });
  const result: IngestResult = { files: [], rowsRead: 0, rowsRejected: 0, trustedKinds: new Set(), membersComplete: true, warnings: [] };
  const ordered = [...files].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  for (const file of ordered) if (file.kind !== 'members') result.trustedKinds.add(file.kind);
  for (const file of ordered) {
    const inspection = await inspectFile(file.path, config.dialect);
    const summary: IngestedFile = { ...inspection, kind: file.kind, name: file.name, rows: 0, rejected: 0 };
    result.files.push(summary);
    const unattributable = await ingestFile(file, inspection, summary, staging, schemas, options);
    result.rowsRead += summary.rows;
    result.rowsRejected += summary.rejected;
    if (unattributable === 0) continue;
    // A row we cannot attribute could belong to anyone: act as if the export said nothing on that point.
    const problem = `${file.name}: ${unattributable} rejected row(s) without a usable contact_id;`;
    if (file.kind === 'members') {
      result.membersComplete = false;
      result.warnings.push(`${problem} no member is deleted this run`);
    } else {
      result.trustedKinds.delete(file.kind);
      result.warnings.push(`${problem} no ${file.kind} set is changed this run`);
    }
  }
  return result;
}

/** Returns the number of rejected rows whose contact could not be told. */
async function ingestFile(
  file: IngestFile,
  inspection: FileInspection,
  summary: IngestedFile,
  staging: Staging,
  schemas: RowSchemas,
  options: IngestOptions,
): Promise<number> {
  let layout: ColumnLayout | undefined;
  let unattributable = 0;
  const reject = (record: CsvRecord, column: string, reason: string, contactId: string | undefined) => {
    options.onReject({ file: file.name, line: record.line, column, reason, contactId });
  };
  const rejectRow = (record: CsvRecord, contactId: string | undefined, problems: { column: string; reason: string }[]) => {
    summary.rejected++;
    for (const problem of problems) reject(record, problem.column, problem.reason, contactId);
    if (contactId) staging.addRejectedContact(contactId);
    else unattributable++;
  };

  await readCsvRecords(file.path, file.name, inspection, (record) => {
      if (!layout) {
        layout = resolveColumns(file.kind, record.fields, options.config.columns[file.kind], file.name);
        return;
      }
      const raw = rawRow(record.fields, layout);
      const contactId = raw.contact_id?.trim() || undefined;
      if (contactId && options.inShard && !options.inShard(contactId)) return;
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
      const duplicateOf = stageRow(file.kind, parsed.data, file.name, record.line, staging);
      if (duplicateOf !== undefined) {
        const key = file.kind === 'members' ? 'contact_id' : KINDS[file.kind].itemIdColumn!;
        rejectRow(record, contactId, [{ column: layout.headers.get(key) ?? key, reason: `duplicate key: the same ${key} is already on line ${duplicateOf}` }]);
      }
    },
    (bytes) => options.onProgress?.({ file: file.name, rows: summary.rows, bytes, totalBytes: inspection.bytes }),
  );
  return unattributable;
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

function stageRow(kind: ExportKind, row: unknown, file: string, line: number, staging: Staging): number | undefined {
  if (kind === 'members') {
    const member = row as { contactId: string; doc: { phoneNumber: string } };
    return staging.addMember(member.contactId, line, member.doc.phoneNumber, JSON.stringify(member.doc));
  }
  const item = row as { contactId: string; itemId: string; doc: unknown };
  return staging.addItem(kind, item.contactId, item.itemId, file, line, JSON.stringify(item.doc));
}
