// What ingest takes and gives, shared by the lanes that may run in worker threads (plain data only).
import type { ExportKind, ItemKind } from './kinds.ts';
import type { Shard } from './shard.ts';

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
  /** What is wrong, in words that do not change from row to row ("expected …"). */
  reason: string;
  /** The offending value as the file has it (phone numbers masked, cut at 60 characters). */
  value?: string;
  contactId?: string;
}

export interface IngestedFile extends FileInspection {
  kind: ExportKind;
  name: string;
  rows: number;
  rejected: number;
  /** Rejected rows whose contact could not be told. */
  unattributable: number;
  /** Rows rejected for their shape (field count, bytes that are not text): other rows may hide in them. */
  malformed: number;
  /** Our column name → the header the file has for it; absent when the file has no header row. */
  columns?: Record<string, string>;
}

export interface IngestResult {
  files: IngestedFile[];
  rowsRead: number;
  rowsRejected: number;
  /** Item kinds the export carries trustworthy information on (file present, every row attributable). */
  trustedKinds: Set<ItemKind>;
  /** False when a members row could not be attributed to a contact or was malformed: deletions are then not safe. */
  membersComplete: boolean;
  warnings: string[];
}

export interface IngestProgress {
  file: string;
  rows: number;
  bytes: number;
  totalBytes: number;
}

/** Which rows to read at all (data, so that it can cross to a worker thread). */
export interface RowFilter {
  /** `--shard i/N`: rows of other shards are skipped before validation. */
  shard?: Shard;
  /** Only this contact's rows (`explain`). */
  contactId?: string;
}

export type Encoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export type Delimiter = ',' | ';' | '\t';

export interface FileInspection {
  bytes: number;
  sha256: string;
  encoding: Encoding;
  bom: boolean;
  delimiter: Delimiter;
  /** UTF-8 with bytes that are not valid UTF-8: their rows are rejected. */
  invalidUtf8: boolean;
}
