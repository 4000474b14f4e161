// A merchant's members file whose rows end in a mix of CRLF, LF and lone CR (one system appended rows to
// an Excel export): every row is its own record, nobody is deleted for it, and rejects name the line an
// editor shows. And any malformed row in the members file makes the run keep every member: a broken
// row may hide others.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const HEADER = 'contact_id;phone_number;tier';
const ids = Array.from({ length: 10 }, (_, index) => `M${String(index + 1).padStart(2, '0')}`);
const row = (id: string, tier = 'bronze') => `${id};41234${id.slice(1).padStart(3, '0')};${tier}`;
/** Rows joined with the given line ends: `ends[i]` follows row i (the header is row 0). */
const withEnds = (rows: string[], ends: string[]) => rows.map((text, index) => `${text}${ends[index] ?? '\r\n'}`).join('');

describe('a members file with mixed line endings', () => {
  it('reads every row as its own record: the second night sends exactly the one change and deletes nobody', async () => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const exportDir = tempDir();
    writeFiles(exportDir, { 'members.csv': withEnds([HEADER, ...ids.map((id) => row(id))], []) });
    expect((await runNight(exportDir, work, sandbox.url)).code).toBe(0);
    const before = sandbox.events().length;

    // CRLF, but rows 3 and 5 end in LF only and row 7 in a lone CR (as old Mac tools write).
    const rows = [HEADER, ...ids.map((id) => row(id, id === 'M04' ? 'gold' : 'bronze'))];
    writeFiles(exportDir, { 'members.csv': withEnds(rows, ['\r\n', '\r\n', '\r\n', '\n', '\r\n', '\n', '\r\n', '\r']) });
    const night = await runNight(exportDir, work, sandbox.url);

    expect(night.code).toBe(0);
    expect(night.report).toMatchObject({ status: 'succeeded', members: { total: 10, changed: 1, deleted: 0 }, rows: { read: 10, rejected: 0 } });
    const sent = sandbox.events().slice(before);
    expect(sent.map((event) => [event.contactId, event.action])).toEqual([['M04', 'benefits.member.updated']]);
    expect(sandbox.members().map((member) => [member.contactId, member.member.tier])).toEqual(ids.map((id) => [id, id === 'M04' ? 'gold' : 'bronze']));
  });

  it('names the physical line of a bad row after LF-only, CR-only and quoted multi-line rows', async () => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const exportDir = tempDir();
    // The two-line value is in a column the job does not read (a note): a line break there is fine.
    const rows = [`${HEADER};note`, `${row('M01')};`, `${row('M02')};`, `${row('M03')};"two\r\nlines"`, `${row('M04')};`, 'M05;not a phone;bronze;', `${row('M06')};`];
    writeFiles(exportDir, { 'members.csv': withEnds(rows, ['\r\n', '\n', '\r', '\r\n', '\n', '\r\n', '\r\n']) });
    const night = await runNight(exportDir, work, sandbox.url);
    // Header 1, M01 2, M02 3, M03 4–5, M04 6, M05 7.
    expect(night.rejects.slice(1).map((cells) => cells.slice(0, 3))).toEqual([['members.csv', '7', 'phone_number']]);
    expect(sandbox.members().map((member) => member.contactId)).toEqual(['M01', 'M02', 'M03', 'M04', 'M06']);
  });

  describe('any malformed row in the members file keeps every member that night', () => {
    const departed = ids.slice(0, 9); // M10 leaves the club on night 2 (or seems to)
    const cases: [string, string | Buffer][] = [
      ['a row with too few fields', withEnds([HEADER, ...departed.map((id) => row(id)), 'M11;41234511'], [])],
      ['a row with a value that lost its quotes', withEnds([HEADER, ...departed.map((id) => row(id)), 'M11;41234511;gold;silver'], [])],
      // A quote opened in M09's row closes in M11's: M10's row is swallowed, and the field count looks right.
      ['a quote that swallows the rows after it', withEnds([HEADER, ...ids.slice(0, 8).map((id) => row(id)), 'M09;41234009;"gold', row('M10'), 'M11;41234011;silver"'], [])],
      [
        'a row holding a byte that is not UTF-8',
        Buffer.concat([Buffer.from(withEnds([HEADER, 'M11;41234511;sølv', ...departed.map((id) => row(id))], [])), Buffer.from('M12;41234512;s\x96lv\r\n', 'latin1')]),
      ],
    ];
    it.each(cases)('%s: the departed member is not deleted, the warning says why', async (_, members) => {
      const sandbox = await sandboxForTest();
      const work = tempDir();
      const exportDir = tempDir();
      writeFiles(exportDir, { 'members.csv': withEnds([HEADER, ...ids.map((id) => row(id))], []) });
      await runNight(exportDir, work, sandbox.url);

      writeFiles(exportDir, { 'members.csv': members });
      const night = await runNight(exportDir, work, sandbox.url);
      expect(night.code).toBe(0);
      expect(night.report.members.deleted).toBe(0);
      expect(sandbox.members().map((member) => member.contactId)).toContain('M10');
      expect(sandbox.events().some((event) => event.action === 'benefits.member.deleted')).toBe(false);
      expect(night.report.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^members\.csv: 1 malformed row\(s\) .*; no member is deleted this run$/)]));
      expect(night.rejects).toHaveLength(2);
    });

    it('a quote that never closes fails the run with file and line, and sends nothing', async () => {
      const sandbox = await sandboxForTest();
      const work = tempDir();
      const exportDir = tempDir();
      writeFiles(exportDir, { 'members.csv': withEnds([HEADER, ...ids.map((id) => row(id))], []) });
      await runNight(exportDir, work, sandbox.url);
      const requests = sandbox.stats().requests;

      writeFiles(exportDir, { 'members.csv': withEnds([HEADER, row('M01'), 'M02;41234502;"gold', ...departed.slice(2).map((id) => row(id))], []) });
      const night = await runNight(exportDir, work, sandbox.url);
      expect(night.code).toBe(1);
      expect(night.report.error).toMatchObject({ code: 'CSV_UNREADABLE', message: expect.stringMatching(/^members\.csv:3: a quoted value starts in the row on this line and is never closed/) });
      expect(sandbox.stats().requests).toBe(requests);
      expect(sandbox.members()).toHaveLength(10);
    });
  });
});

describe('the physical line of a failing record across read chunks', () => {
  it('is exact after thousands of records', async () => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const exportDir = tempDir();
    const many = Array.from({ length: 5000 }, (_, index) => `X${index};4${String(1_000_000 + index).padStart(7, '0')};bronze`);
    writeFiles(exportDir, { 'members.csv': `${HEADER}\n${many.join('\n')}\nX-last;41234599;"open\n` });
    const night = await runNight(join(exportDir), work, sandbox.url, ['--dry-run']);
    expect(night.report.error?.message).toMatch(/^members\.csv:5002: /);
  });
});
