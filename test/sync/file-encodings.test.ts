// The encoding is decided per file from what the whole file holds, never from one byte: a UTF-8 file
// with a stray Windows-1252 byte stays UTF-8 (that row is rejected, naming the byte), a file with no
// UTF-8 at all is Windows-1252, Excel's "Unicode text" (UTF-16 with a BOM) is decoded, and a compressed
// or binary file is refused by name, without a raw byte in any message.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const MEMBERS = 'contact_id;phone_number\r\nM1;41234001\r\nM2;41234002\r\nM3;41234003\r\n';
const COUPONS = [
  'contact_id;coupon_id;title;description',
  'M1;C1;Kaffe på huset;Gjelder én kopp',
  'M2;C1;Smørbrød – halv pris;Hele dagen',
  'M3;C1;Gratis bolle;Når du kjøper kaffe',
];
const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
const couponTitles = (sandbox: Awaited<ReturnType<typeof sandboxForTest>>) =>
  Object.fromEntries(sandbox.members().map((member) => [member.contactId, member.coupons.map((coupon) => `${coupon.title} / ${coupon.description}`)]));

describe('encodings, per file', () => {
  it('keeps a UTF-8 file UTF-8 when one row holds a Windows-1252 byte: that row is rejected with the byte, every ø and å stays', async () => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const lines = [...COUPONS];
    // Row 3 (M2) has an en dash pasted from a Windows program: the single byte 0x96.
    const coupons = Buffer.concat(lines.map((line, index) => (index === 2 ? Buffer.from(`${line.replace('–', '\u0000')}\r\n`, 'utf8') : Buffer.from(`${line}\r\n`, 'utf8'))));
    coupons[coupons.indexOf(0)] = 0x96;
    const exportDir = writeFiles(tempDir(), { 'members.csv': MEMBERS, 'coupons.csv': coupons });

    const night = await runNight(exportDir, work, sandbox.url);
    expect(night.code).toBe(0);
    expect(night.report.source.files.find((file) => file.name === 'coupons.csv')).toMatchObject({ encoding: 'utf-8', rows: 3, rejected: 1 });
    expect(night.rejects[0]).toEqual(['file', 'line', 'column', 'reason', 'contact_id', 'value']);
    expect(night.rejects.slice(1)).toEqual([['coupons.csv', '3', 'title', 'invalid UTF-8 byte 0x96', 'M2', 'Smørbrød \\x96 halv pris']]);
    // M2's row was rejected: M2 is left untouched (not registered yet), the others carry their text intact.
    expect(couponTitles(sandbox)).toEqual({ M1: ['Kaffe på huset / Gjelder én kopp'], M3: ['Gratis bolle / Når du kjøper kaffe'] });
  });

  it('reads a file with no UTF-8 multi-byte sequence at all as Windows-1252', async () => {
    const sandbox = await sandboxForTest();
    const exportDir = writeFiles(tempDir(), { 'members.csv': MEMBERS, 'coupons.csv': iconv.encode(crlf(COUPONS), 'win1252') });
    const night = await runNight(exportDir, tempDir(), sandbox.url);
    expect(night.report.source.files.find((file) => file.name === 'coupons.csv')).toMatchObject({ encoding: 'windows-1252', rejected: 0 });
    expect(couponTitles(sandbox).M2).toEqual(['Smørbrød – halv pris / Hele dagen']);
  });

  it.each(['utf-16le', 'utf-16be'] as const)('decodes Excel "Unicode text" (%s with a BOM, tab-delimited)', async (encoding) => {
    const sandbox = await sandboxForTest();
    const text = (lines: string[]) => `\uFEFF${crlf(lines.map((line) => line.replaceAll(';', '\t')))}`;
    const exportDir = writeFiles(tempDir(), {
      'members.csv': iconv.encode(text(MEMBERS.trim().split('\r\n')), encoding, { addBOM: false }),
      'coupons.csv': iconv.encode(text(COUPONS), encoding, { addBOM: false }),
    });
    const night = await runNight(exportDir, tempDir(), sandbox.url);
    expect(night.code).toBe(0);
    expect(night.report.source.files.map((file) => [file.name, file.encoding, file.delimiter, file.rows, file.rejected])).toEqual([
      ['members.csv', encoding, 'tab', 3, 0],
      ['coupons.csv', encoding, 'tab', 3, 0],
    ]);
    expect(couponTitles(sandbox).M2).toEqual(['Smørbrød – halv pris / Hele dagen']);
  });

  const notText: [string, Buffer, RegExp][] = [
    ['gzip-compressed', gzipSync(MEMBERS), /gzip-compressed data/],
    ['a zip archive (an .xlsx)', Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000'), Buffer.alloc(64, 1)]), /a zip archive/],
    ['text with NUL bytes', Buffer.from('contact_id;phone_number\r\nM1;4123\u00004001\r\n'), /byte \d+ is NUL/],
  ];
  it.each(notText)('refuses %s data as "not a CSV text file", naming the file, with no raw byte in any output', async (_, bytes, what) => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const exportDir = writeFiles(tempDir(), { 'members.csv': bytes });
    const night = await runNight(exportDir, work, sandbox.url);
    expect(night.code).toBe(1);
    expect(night.report.error).toMatchObject({ code: 'CSV_NOT_TEXT', message: expect.stringMatching(/^members\.csv:1: not a CSV text file: /) });
    expect(night.report.error!.message).toMatch(what);
    expect(sandbox.stats().requests).toBe(0);
    const reports = readdirSync(join(work, 'reports'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const outputs = [night.stdout, night.stderr, ...reports.map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))];
    for (const output of outputs) expect(output).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/);

    const validate = await runCli(['validate', join(exportDir, 'members.csv')]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('CSV_NOT_TEXT');
    expect(validate.stderr).toContain('members.csv:1: not a CSV text file');
  });

  it('moves a binary export in a drop folder to failed/ with an error.txt saying why', async () => {
    const sandbox = await sandboxForTest();
    const root = tempDir();
    mkdirSync(join(root, 'incoming'));
    writeFiles(join(root, 'incoming'), { 'members.csv': gzipSync(MEMBERS), '.done': '' });
    const night = await runNight(root, tempDir(), sandbox.url);
    expect(night.report.error?.code).toBe('CSV_NOT_TEXT');
    expect(readdirSync(join(root, 'failed'))).toEqual(['.done', 'members.csv', 'members.csv.error.txt']);
    expect(readFileSync(join(root, 'failed', 'members.csv.error.txt'), 'utf8')).toContain('not a CSV text file: it holds gzip-compressed data');
  });
});
