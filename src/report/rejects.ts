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
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import type { Reject } from '../base/export-shapes.ts';
import { redactText } from '../privacy/redact.ts';

const EXAMPLES_PER_REASON = 5;
const REASONS_KEPT = 50;
export const MAX_CELL_LENGTH = 1000;

export interface RejectsLog {
  add(reject: Reject): void;
  /**
   * Writes rejects.csv, source files in `fileOrder` first; returns its path if anything was rejected.
   * Throws the first write error (also one that happened while rows were added).
   */
  close(fileOrder?: readonly string[]): Promise<string | undefined>;
  summary(): { reason: string; count: number; examples: string[] }[];
}

export function createRejectsLog(path: string): RejectsLog {
  const parts = new Map<string, { path: string; out: WriteStream }>();
  const reasons = new Map<string, { count: number; examples: string[] }>();
  // A report folder that cannot be written fails the report, not the run: add() never throws (it is
  // called from inside ingest and planning), the rows are still counted, and close() throws the error.
  let failure: unknown;
  const fail = (error: unknown) => (failure ??= error);
  const partFor = (file: string) => {
    let part = parts.get(file);
    if (!part) {
      if (parts.size === 0) mkdirSync(dirname(path), { recursive: true });
      const partPath = `${path}.${parts.size}.part`;
      part = { path: partPath, out: createWriteStream(partPath).on('error', fail) };
      parts.set(file, part);
    }
    return part;
  };
  return {
    add(reject) {
      if (failure === undefined) {
        try {
          partFor(reject.file).out.write(csvRow([safeCell(reject.file), reject.line, safeCell(reject.column), safeCell(reject.reason), safeCell(reject.contactId ?? ''), safeCell(reject.value ?? '')]));
        } catch (error) {
          fail(error);
        }
      }
      // Group by the reason's general form: no value, quoted name or line number is part of it.
      const key = `${reject.column ? `${reject.column}: ` : ''}${reject.reason.replace(/, got ".*"$/, '').replace(/"[^"]*"/g, '"…"').replace(/line \d+/, 'line N')}`;
      let entry = reasons.get(key);
      if (!entry && reasons.size < REASONS_KEPT) reasons.set(key, (entry = { count: 0, examples: [] }));
      if (!entry) return;
      entry.count++;
      if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(`${reject.file}:${reject.line}`);
    },
    async close(fileOrder = []) {
      let out: WriteStream | undefined;
      try {
        if (failure !== undefined) throw failure;
        if (parts.size === 0) return undefined;
        const ordered = [...parts].sort(([a], [b]) => rank(fileOrder, a) - rank(fileOrder, b));
        out = createWriteStream(path).on('error', fail);
        out.write(csvRow(['file', 'line', 'column', 'reason', 'contact_id', 'value']));
        for (const [, part] of ordered) {
          await finished(part.out.end());
          // Copied chunk by chunk: pipeline(…, { end: false }) leaves listeners on `out` for every part.
          for await (const chunk of createReadStream(part.path)) {
            if (out.write(chunk)) continue;
            if (out.errored) throw out.errored;
            await once(out, 'drain');
          }
          rmSync(part.path);
        }
        await finished(out.end());
        return path;
      } catch (error) {
        // Nothing half-written stays behind; the error to report is what made the file fail.
        await Promise.all([out, ...[...parts.values()].map((part) => part.out)].map(discard));
        for (const file of [path, ...[...parts.values()].map((part) => part.path)]) removeIfThere(file);
        throw error;
      }
    },
    summary() {
      return [...reasons].map(([reason, entry]) => ({ reason, ...entry })).sort((a, b) => b.count - a.count);
    },
  };
}

/** Closes a stream without writing the rest, once its file is open (an unopened file would appear later). */
async function discard(stream: WriteStream | undefined): Promise<void> {
  if (!stream || stream.closed) return;
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  await closed;
}

function removeIfThere(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Not a file (a folder where the file should go): left as it was found.
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
