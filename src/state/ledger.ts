// The ledger of processed source files (table `source_files`, migration 2). A drop folder asks it
// whether a file it found was already synced: the key is the file's name AND its content hash, so a
// merchant's uploader that re-sends last night's file is recognised, while a corrected re-upload under the
// same name is processed.
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './store.ts';

export interface LedgerEntry {
  name: string;
  sha256: string;
  bytes: number;
  exportId: string;
  /** The source's description (never with credentials). */
  source: string;
  outcome: 'succeeded' | 'partial';
  processedAt: string;
  /** Where the file was moved, relative to the drop folder's root. */
  movedTo?: string;
}

export interface SourceLedger {
  /** The entry of a processed file with this name and content, if any. */
  find(name: string, sha256: string): LedgerEntry | undefined;
  /** Records (or re-records) files in one transaction. */
  record(entries: readonly LedgerEntry[]): void;
}

interface LedgerRow {
  name: string;
  sha256: string;
  bytes: number;
  export_id: string;
  source: string;
  outcome: LedgerEntry['outcome'];
  processed_at: string;
  moved_to: string | null;
}

export function sourceLedger(db: DatabaseSync): SourceLedger {
  const select = db.prepare('SELECT * FROM source_files WHERE name = ? AND sha256 = ?');
  const upsert = db.prepare(
    `INSERT INTO source_files (name, sha256, bytes, export_id, source, outcome, processed_at, moved_to)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (name, sha256) DO UPDATE SET
       bytes = excluded.bytes, export_id = excluded.export_id, source = excluded.source,
       outcome = excluded.outcome, processed_at = excluded.processed_at, moved_to = excluded.moved_to`,
  );
  return {
    find(name, sha256) {
      const row = select.get(name, sha256.toLowerCase()) as LedgerRow | undefined;
      if (!row) return undefined;
      return {
        name: row.name,
        sha256: row.sha256,
        bytes: row.bytes,
        exportId: row.export_id,
        source: row.source,
        outcome: row.outcome,
        processedAt: row.processed_at,
        ...(row.moved_to !== null && { movedTo: row.moved_to }),
      };
    },
    record(entries) {
      if (entries.length === 0) return;
      inTransaction(db, () => {
        for (const entry of entries) {
          upsert.run(entry.name, entry.sha256.toLowerCase(), entry.bytes, entry.exportId, entry.source, entry.outcome, entry.processedAt, entry.movedTo ?? null);
        }
      });
    },
  };
}
