// rejects.csv: every rejected row with file, line, column, reason and the offending value, streamed to disk as rows are read
// (the file exists only when something was rejected). Files are read in parallel lanes, so each source
// file's rejects go to a part of their own, joined in export order at the end: the same export always
// gives the same rejects.csv. A bounded summary by reason goes into the report.
//
// The file is opened in spreadsheets, and its text comes from the export: every cell is redacted (phone
// numbers masked, secrets removed: src/privacy/), cut to MAX_CELL_LENGTH with a marker, and neutralised
// when a spreadsheet would read it as a formula (OWASP: a cell starting with =, +, -, @, tab or CR gets
// a leading '; csv-stringify's escape_formulas). A phone number, masked or not, starts with + and gets
// the ' too. File and line stay as they are, so the merchant can still find the row.
import { createReadStream, createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { Reject } from '../base/export-shapes.ts';
import { redactText } from '../privacy/redact.ts';

const EXAMPLES_PER_REASON = 5;
const REASONS_KEPT = 50;
export const MAX_CELL_LENGTH = 1000;

export interface RejectsLog {
  /** Never throws: a row that cannot be written is counted all the same, and `failure()` says why. */
  add(reject: Reject): void;
  /**
   * Writes rejects.csv, source files in `fileOrder` first; returns its path if anything was rejected and
   * the file could be written. Never throws.
   */
  close(fileOrder?: readonly string[]): Promise<string | undefined>;
  /** Why rejects.csv could not be written (a report folder that cannot be made, a full disk), if so. */
  failure(): string | undefined;
  summary(): { reason: string; count: number; examples: string[] }[];
}

export function createRejectsLog(path: string): RejectsLog {
  const parts = new Map<string, { path: string; out: WriteStream }>();
  const reasons = new Map<string, { count: number; examples: string[] }>();
  // The first write error: rejects.csv is then left out (the report says so), the run goes on. Rejects are
  // added from a worker lane's messages, where a throw would end the process.
  let failed: Error | undefined;
  const fail = (error: Error) => (failed ??= error);
  const write = (reject: Reject) => {
    let part = parts.get(reject.file);
    if (!part) {
      if (parts.size === 0) mkdirSync(dirname(path), { recursive: true });
      const partPath = `${path}.${parts.size}.part`;
      part = { path: partPath, out: createWriteStream(partPath).on('error', fail) };
      parts.set(reject.file, part);
    }
    part.out.write(csvRow([safeCell(reject.file), reject.line, safeCell(reject.column), safeCell(reject.reason), safeCell(reject.contactId ?? ''), safeCell(reject.value ?? '')]));
  };
  const removeParts = () => {
    for (const part of parts.values()) removeQuietly(part.path);
  };
  return {
    add(reject) {
      if (!failed) {
        try {
          write(reject);
        } catch (error) {
          fail(error as Error);
        }
      }
      // Group by the reason's general form (reasons are fixed text; a quoted name is not part of it).
      const key = `${reject.column ? `${reject.column}: ` : ''}${reject.reason.replace(/"[^"]*"/g, '"…"')}`;
      let entry = reasons.get(key);
      if (!entry && reasons.size < REASONS_KEPT) reasons.set(key, (entry = { count: 0, examples: [] }));
      if (!entry) return;
      entry.count++;
      if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(`${reject.file}:${reject.line}`);
    },
    async close(fileOrder = []) {
      if (parts.size === 0 && !failed) return undefined;
      try {
        if (failed) throw failed;
        const ordered = [...parts].sort(([a], [b]) => rank(fileOrder, a) - rank(fileOrder, b));
        const out = createWriteStream(path);
        const finished = once(out, 'finish');
        out.write(csvRow(['file', 'line', 'column', 'reason', 'contact_id', 'value']));
        for (const [, part] of ordered) {
          part.out.end();
          await once(part.out, 'finish');
          // Copied chunk by chunk: pipeline(…, { end: false }) leaves listeners on `out` for every part.
          for await (const chunk of createReadStream(part.path)) if (!out.write(chunk)) await once(out, 'drain');
        }
        out.end();
        await finished;
        return path;
      } catch (error) {
        fail(error as Error);
        for (const part of parts.values()) part.out.destroy();
        removeQuietly(path);
        return undefined;
      } finally {
        removeParts();
      }
    },
    failure() {
      return failed && `rejects.csv could not be written to ${path}: ${failed.message}`;
    },
    summary() {
      return [...reasons].map(([reason, entry]) => ({ reason, ...entry })).sort((a, b) => b.count - a.count);
    },
  };
}

/** Cleaning up after a failure must not fail in turn (a path under a file is ENOTDIR, not ENOENT). */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing was written there
  }
}

/** Position in the export's file order; files not listed (there are none in practice) go last. */
function rank(order: readonly string[], file: string): number {
  const index = order.indexOf(file);
  return index === -1 ? order.length : index;
}

function csvRow(cells: (string | number)[]): string {
  return stringify([cells], { escape_formulas: true, record_delimiter: 'unix' });
}

function safeCell(text: string): string {
  const redacted = redactText(text);
  return redacted.length > MAX_CELL_LENGTH ? `${redacted.slice(0, MAX_CELL_LENGTH)}… [cut: ${redacted.length} characters]` : redacted;
}
