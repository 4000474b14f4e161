// rejects.csv is written while the export is read, from inside ingest and planning: a report folder that
// cannot be written must not stop the reading (the run goes on, and its report fails with
// REPORT_WRITE_FAILED: test/sync/a-failing-finish-step-still-finishes-the-run.test.ts), nor crash the
// process with a stream's unhandled `error`. Every row is still counted; close() throws what went wrong.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRejectsLog } from '../../src/report/rejects.ts';
import { tempDir } from '../fixtures/temp.ts';

const reject = (line: number) => ({ file: 'members.csv', line, column: 'phone_number', reason: 'expected a valid phone number, got "x"', contactId: `M-${line}` });

describe('a rejects.csv that cannot be written', () => {
  it('in a folder that cannot be made: rows are counted, close() throws the error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), '');
    const log = createRejectsLog(join(dir, 'a-file', 'run', 'rejects.csv'));
    for (let line = 2; line < 5; line++) log.add(reject(line));
    expect(log.summary()).toEqual([{ reason: 'phone_number: expected a valid phone number', count: 3, examples: ['members.csv:2', 'members.csv:3', 'members.csv:4'] }]);
    await expect(log.close(['members.csv'])).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('whose part file cannot be opened (the error comes later, from the stream): close() throws it, nothing is left behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'rejects.csv');
    // Where the first part file would go, a folder: opening it fails asynchronously (EISDIR).
    mkdirSync(`${path}.0.part`);
    const log = createRejectsLog(path);
    log.add(reject(2));
    log.add({ ...reject(3), file: 'coupons.csv' });
    await expect(log.close(['members.csv', 'coupons.csv'])).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(dir).sort()).toEqual(['rejects.csv.0.part']);
    expect(log.summary().reduce((sum, entry) => sum + entry.count, 0)).toBe(2);
  });
});
