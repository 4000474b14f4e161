// Real-world CSV shapes: BOM, ';' and tab delimiters, CRLF, quoted line breaks, Windows-1252.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ingestFiles } from '../fixtures/ingest.ts';

const HEADER = 'contact_id,phone_number,tier';

describe('CSV dialects', () => {
  it('strips a UTF-8 BOM so the first header still matches', async () => {
    const { members, result } = await ingestFiles({ 'members.csv': `\uFEFF${HEADER}\nM1,41234567,gold\n` });
    expect(result.files[0]).toMatchObject({ bom: true, encoding: 'utf-8' });
    expect(members).toEqual([expect.objectContaining({ contactId: 'M1', phoneNumber: '+4741234567' })]);
  });

  it('detects ; and tab delimiters from the header', async () => {
    const semicolon = await ingestFiles({ 'members.csv': 'contact_id;phone_number;tier\nM1;41234567;gold, plus\n' });
    expect(semicolon.result.files[0]!.delimiter).toBe(';');
    expect(semicolon.members[0]!.doc.tier).toBe('gold, plus');
    const tab = await ingestFiles({ 'members.csv': 'contact_id\tphone_number\ttier\nM1\t41234567\tgold\n' });
    expect(tab.result.files[0]!.delimiter).toBe('\t');
    expect(tab.members[0]!.doc.tier).toBe('gold');
  });

  it('reads CRLF files and counts physical lines across quoted line breaks', async () => {
    const csv = [
      'contact_id,coupon_id,title,description',
      'M1,C1,"Two\r\nlines",x',
      '',
      'M1,C2,Plain,"three\r\nphysical\nlines"',
      'M1,C3,,missing title',
    ].join('\r\n');
    const { rejects, items } = await ingestFiles({ 'members.csv': `${HEADER}\r\nM1,41234567,gold\r\n`, 'coupons.csv': `${csv}\r\n` });
    expect(items.coupons!.map((item) => [item.itemId, item.line])).toEqual([
      ['C1', 2],
      ['C2', 5],
    ]);
    expect(items.coupons![0]!.doc.title).toBe('Two\r\nlines');
    // Header 1, C1 on 2-3, blank 4, C2 on 5-7, so C3 is on line 8.
    expect(rejects).toEqual([expect.objectContaining({ file: 'coupons.csv', line: 8, column: 'title', reason: 'required value is empty' })]);
  });

  it('decodes Windows-1252 when a file is not valid UTF-8', async () => {
    const text = 'contact_id;coupon_id;title\r\nM1;C1;Kaffe på huset – gratis\r\n';
    const { items, result } = await ingestFiles({
      'members.csv': `${HEADER}\nM1,41234567,gold\n`,
      'coupons.csv': iconv.encode(text, 'win1252'),
    });
    expect(result.files.find((file) => file.kind === 'coupons')!.encoding).toBe('windows-1252');
    expect(items.coupons![0]!.doc.title).toBe('Kaffe på huset – gratis');
  });

  it('keeps UTF-8 when a multi-byte character straddles a read chunk', async () => {
    // 64 KiB of ASCII then 'ø': the inspection pass must not call the split character invalid.
    const filler = 'x'.repeat(65_535 - 'contact_id,phone_number,note,tier\nM1,41234567,'.length);
    const { result, members, rejects } = await ingestFiles({ 'members.csv': `contact_id,phone_number,note,tier\nM1,41234567,${filler},ø\n` });
    expect(result.files[0]!.encoding).toBe('utf-8');
    expect(rejects).toEqual([]);
    expect(members[0]!.doc.tier).toBe('ø');
  });

  it('ignores rows that are only delimiters and columns it does not know', async () => {
    const { members, rejects } = await ingestFiles({ 'members.csv': 'contact_id;first_name;phone_number\r\nM1;Åse;41234567\r\n;;\r\n' });
    expect(rejects).toEqual([]);
    expect(members).toHaveLength(1);
    expect(members[0]!.doc).toEqual({ contactId: 'M1', phoneNumber: '+4741234567' });
  });
});
