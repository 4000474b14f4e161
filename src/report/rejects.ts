// rejects.csv: every rejected row with file, line, column, reason and the offending value, streamed to disk as rows are read
// (the file exists only when something was rejected). Files are read in parallel lanes, so each source
// file's rejects go to a part of their own, joined in export order at the end: the same export always
// gives the same rejects.csv. A bounded summary by reason goes into the report.
import { createReadStream, createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Reject } from '../ingest/ingest-export.ts';

const EXAMPLES_PER_REASON = 5;
const REASONS_KEPT = 50;

export interface RejectsLog {
  add(reject: Reject): void;
  /** Writes rejects.csv, source files in `fileOrder` first; returns its path if anything was rejected. */
  close(fileOrder?: readonly string[]): Promise<string | undefined>;
  summary(): { reason: string; count: number; examples: string[] }[];
}

export function createRejectsLog(path: string): RejectsLog {
  const parts = new Map<string, { path: string; out: WriteStream }>();
  const reasons = new Map<string, { count: number; examples: string[] }>();
  return {
    add(reject) {
      let part = parts.get(reject.file);
      if (!part) {
        const partPath = `${path}.${parts.size}.part`;
        part = { path: partPath, out: createWriteStream(partPath) };
        parts.set(reject.file, part);
      }
      part.out.write(`${[reject.file, String(reject.line), reject.column, reject.reason, reject.contactId ?? '', reject.value ?? ''].map(csvCell).join(',')}\n`);
      // Group by the reason's general form ("expected a valid phone number…") without the value.
      const key = `${reject.column ? `${reject.column}: ` : ''}${reject.reason.replace(/, got ".*"$/, '').replace(/"[^"]*"/g, '"…"').replace(/line \d+/, 'line N')}`;
      let entry = reasons.get(key);
      if (!entry && reasons.size < REASONS_KEPT) reasons.set(key, (entry = { count: 0, examples: [] }));
      if (!entry) return;
      entry.count++;
      if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(`${reject.file}:${reject.line}`);
    },
    async close(fileOrder = []) {
      if (parts.size === 0) return undefined;
      const ordered = [...parts].sort(([a], [b]) => rank(fileOrder, a) - rank(fileOrder, b));
      const out = createWriteStream(path);
      out.write('file,line,column,reason,contact_id,value\n');
      for (const [, part] of ordered) {
        part.out.end();
        await once(part.out, 'finish');
        await pipeline(createReadStream(part.path), out, { end: false });
        rmSync(part.path);
      }
      out.end();
      await once(out, 'finish');
      return path;
    },
    summary() {
      return [...reasons].map(([reason, entry]) => ({ reason, ...entry })).sort((a, b) => b.count - a.count);
    },
  };
}

/** Position in the export's file order; files not listed (there are none in practice) go last. */
function rank(order: readonly string[], file: string): number {
  const index = order.indexOf(file);
  return index === -1 ? order.length : index;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
