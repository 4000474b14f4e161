// rejects.csv: every rejected row with file, line, column and reason, streamed as rows are read (the file
// exists only when something was rejected). A bounded summary by reason goes into the report.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Reject } from '../ingest/ingest-export.ts';

const EXAMPLES_PER_REASON = 5;
const REASONS_KEPT = 50;

export interface RejectsLog {
  add(reject: Reject): void;
  /** Closes the file; returns its path if anything was written. */
  close(): Promise<string | undefined>;
  summary(): { reason: string; count: number; examples: string[] }[];
}

export function createRejectsLog(path: string | undefined): RejectsLog {
  let out: WriteStream | undefined;
  const reasons = new Map<string, { count: number; examples: string[] }>();
  return {
    add(reject) {
      if (path) {
        if (!out) {
          out = createWriteStream(path);
          out.write('file,line,column,reason,contact_id\n');
        }
        out.write(`${[reject.file, String(reject.line), reject.column, reject.reason, reject.contactId ?? ''].map(csvCell).join(',')}\n`);
      }
      // Group by the reason's general form ("expected a valid phone number…") without the value.
      const key = `${reject.column ? `${reject.column}: ` : ''}${reject.reason.replace(/, got ".*"$/, '').replace(/"[^"]*"/g, '"…"').replace(/line \d+/, 'line N')}`;
      let entry = reasons.get(key);
      if (!entry && reasons.size < REASONS_KEPT) reasons.set(key, (entry = { count: 0, examples: [] }));
      if (!entry) return;
      entry.count++;
      if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(`${reject.file}:${reject.line}`);
    },
    async close() {
      if (!out) return undefined;
      out.end();
      await once(out, 'finish');
      return path;
    },
    summary() {
      return [...reasons].map(([reason, entry]) => ({ reason, ...entry })).sort((a, b) => b.count - a.count);
    },
  };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
