// An export that arrives in contact_id order is staged in a plain text file of rows instead of a keyed
// table (src/state/sorted-rows.ts). Whatever path the rows take, the reader must give back the same rows,
// ranges, split keys, origins and duplicates: here the same rows are staged in order and shuffled (which
// takes the keyed table), and both are read back and compared.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/base/canonical.ts';
import type { ExportKind } from '../../src/base/kinds.ts';
import { createStagingArea, sortedFileOf, type Staging, type StagingArea } from '../../src/state/staging.ts';
import { openStagingWriter, type Duplicate } from '../../src/state/staging-writer.ts';
import { shuffled } from '../fixtures/shuffle.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  contactId: string;
  itemId?: string;
  file: string;
  line: number;
  doc: string;
}

const byContact = (a: Row, b: Row) => compareKeys(a.contactId, b.contactId);

/** Stages `rows` per kind in the order given; the duplicates each writer reported. */
function stage(area: StagingArea, rows: Partial<Record<ExportKind, readonly Row[]>>): Duplicate[] {
  const duplicates: Duplicate[] = [];
  for (const [kind, kindRows] of Object.entries(rows) as [ExportKind, Row[]][]) {
    const writer = openStagingWriter(area.dir, kind);
    for (const row of kindRows) {
      writer.add(row.contactId, row.itemId, row.file, row.line, kind === 'members' ? '+4791234567' : undefined, row.doc, (duplicate) => duplicates.push(duplicate));
    }
    writer.close();
  }
  return duplicates;
}

/** Everything a reader answers, for the given ranges. */
function readBack(staging: Staging, ranges: readonly { from?: string; before?: string }[]) {
  return {
    members: ranges.map((range) => [...staging.members(range)]),
    coupons: ranges.map((range) => [...staging.items('coupons', range)]),
    memberCount: staging.memberCount(),
    splitKeys: [2, 3, 7].map((parts) => staging.splitKeys(parts)),
  };
}

function newArea(name: string): StagingArea {
  return createStagingArea(join(dir, `${name}.sqlite`), 'run1');
}

// Contacts across several marks (one every 1,024 rows), with non-ASCII keys, which sort by code point.
const contacts = Array.from({ length: 2_600 }, (_, i) => (i % 7 === 0 ? `Ø-${i}` : i % 11 === 0 ? `\u{1F600}${i}` : i % 13 === 0 ? `\uFB01-${i}` : `M-${i}`)).sort(compareKeys);
const members: Row[] = contacts.map((contactId, i) => ({ contactId, file: 'members.csv', line: i + 2, doc: `{"c":${JSON.stringify(contactId)}}` }));
// Each contact's items in an order of their own (not item_id order), one to four of them.
const coupons: Row[] = contacts.flatMap((contactId, i) =>
  Array.from({ length: (i % 4) + 1 }, (_, n) => ({ contactId, itemId: `CP-${(n * 7919 + i) % 13}-${n}`, file: 'coupons.csv', line: 0, doc: `{"n":${n},"tab":"\\t"}` })),
);
// Lines of every digit count from 1 to 10 (written into the file digit by digit).
coupons.forEach((row, i) => (row.line = i === 4321 ? 9_007_199_254 : i + 2));

describe('sorted staging', () => {
  it('reads back the same rows, ranges, counts and split keys as the keyed table', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-sorted-'));
    const sortedArea = newArea('sorted');
    expect(stage(sortedArea, { members, coupons })).toEqual([]);
    expect(existsSync(sortedFileOf(sortedArea.dir, 'members')) && existsSync(sortedFileOf(sortedArea.dir, 'coupons'))).toBe(true);
    const keyedArea = newArea('keyed');
    expect(stage(keyedArea, { members: shuffled(members, 1), coupons: shuffled(coupons, 2) })).toEqual([]);
    expect(existsSync(sortedFileOf(keyedArea.dir, 'members')) || existsSync(sortedFileOf(keyedArea.dir, 'coupons'))).toBe(false);

    // contacts[1024] and contacts[2048] start the members' marks (one every 1,024 rows): a range from a mark's
    // own contact reads from the mark's offset, so an offset off by a byte loses that contact.
    const ranges = [{}, { from: contacts[1500] }, { before: contacts[999] }, { from: contacts[1023], before: contacts[2049] }, { from: contacts[1024] }, { from: contacts[2048], before: contacts[2500] }, { from: 'M-1000x', before: 'Ø' }, { from: '\u{1F600}' }, { from: 'zzz' }];
    const sorted = readBack(sortedArea.reader(), ranges);
    const keyed = readBack(keyedArea.reader(), ranges);
    expect(sorted).toEqual(keyed);
    // Not trivially equal: every range holds what it should, items in item_id order within a contact.
    expect(sorted.members[0]!.map((member) => member.contactId)).toEqual(contacts);
    expect(sorted.members[3]!.map((member) => member.contactId)).toEqual(contacts.slice(1023, 2049));
    const expectedItems = [...coupons].sort((a, b) => byContact(a, b) || compareKeys(a.itemId!, b.itemId!)).map((row) => [row.contactId, row.itemId, row.doc]);
    expect(sorted.coupons[0]).toEqual(expectedItems);
    expect(sorted.splitKeys[0]).toEqual([contacts[1300]]);
    for (const row of [coupons[0]!, coupons[8]!, coupons[98]!, coupons[998]!, coupons[4321]!, coupons.at(-1)!]) {
      expect(sortedArea.reader().origin('coupons', row.contactId, row.itemId!)).toEqual({ file: 'coupons.csv', line: row.line });
    }
    sortedArea.remove();
    keyedArea.remove();
  });

  it('reports the same duplicates as the keyed table and keeps the first row', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-sorted-'));
    const withDuplicates = (rows: Row[], at: number[]) => rows.flatMap((row, i) => (at.includes(i) ? [row, { ...row, line: row.line + 100_000, doc: '{"later":true}' }] : [row]));
    const memberRows = withDuplicates(members, [0, 700, 2_599]);
    const couponRows = withDuplicates(coupons, [3, 1_000, coupons.length - 1]);
    const sortedArea = newArea('sorted');
    const sortedDuplicates = stage(sortedArea, { members: memberRows, coupons: couponRows });
    expect(existsSync(sortedFileOf(sortedArea.dir, 'coupons'))).toBe(true);
    expect(sortedDuplicates).toHaveLength(6);
    const keyedArea = newArea('keyed');
    // The keyed table reports a duplicate when it sees the later row: keep the later rows after the first ones.
    const keyedDuplicates = stage(keyedArea, { members: [...shuffled(members, 3), ...memberRows.filter((row) => row.line > 100_000)], coupons: [...shuffled(coupons, 4), ...couponRows.filter((row) => row.line > 100_000)] });
    const byLine = (a: Duplicate, b: Duplicate) => a.line - b.line;
    expect(sortedDuplicates.sort(byLine)).toEqual(keyedDuplicates.sort(byLine));
    expect(readBack(sortedArea.reader(), [{}])).toEqual(readBack(keyedArea.reader(), [{}]));
    expect([...sortedArea.reader().items('coupons')].some(([, , doc]) => doc === '{"later":true}')).toBe(false);
    sortedArea.remove();
    keyedArea.remove();
  });

  it('moves to the keyed table at the first row the file cannot take, and loses nothing on the way', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-sorted-'));
    const expected = newArea('expected');
    stage(expected, { members, coupons });
    const want = readBack(expected.reader(), [{}, { from: contacts[800] }]);
    const cases: Record<string, { members: Row[]; coupons: Row[]; duplicates?: number }> = {
      // A contact out of order in the middle, and the duplicate of a row staged before the move after it.
      'a contact out of order': {
        members: [...members.slice(0, 2_000), members[2_500]!, ...members.slice(2_000, 2_500), { ...members[10]!, line: 99_999 }, ...members.slice(2_501)],
        coupons,
        duplicates: 1,
      },
      // Keys the file format cannot hold (a tab, a line break). Documents are JSON, which has neither.
      'a tab in a key': { members, coupons: [...coupons.slice(0, 900), { ...coupons[900]!, itemId: 'CP\t1' }, ...coupons.slice(901)] },
      'a line break in a key': { members: [...members.slice(0, 1_500), { ...members[1_500]!, contactId: `${contacts[1_500]}\nb` }, ...members.slice(1_501)], coupons },
      // More items for one contact than the writer holds in memory.
      'a contact with 5,000 coupons': {
        members,
        coupons: [...coupons.filter((row) => compareKeys(row.contactId, contacts[5]!) < 0), ...Array.from({ length: 5_000 }, (_, n) => ({ contactId: contacts[5]!, itemId: `X-${n}`, file: 'coupons.csv', line: n, doc: '{}' })), ...coupons.filter((row) => compareKeys(row.contactId, contacts[5]!) > 0)],
      },
    };
    for (const [name, { duplicates: expectedDuplicates = 0, ...rows }] of Object.entries(cases)) {
      const area = newArea(name.replace(/\W/g, '-'));
      const duplicates = stage(area, rows);
      expect(duplicates, name).toHaveLength(expectedDuplicates);
      const staging = area.reader();
      const got = readBack(staging, [{}, { from: contacts[800] }]);
      if (name === 'a tab in a key') {
        expect(got.coupons[0]!.find((item) => item[1] === 'CP\t1'), name).toBeDefined();
        expect(got.coupons[0]!, name).toHaveLength(want.coupons[0]!.length);
        expect(got.members, name).toEqual(want.members);
      } else if (name === 'a line break in a key') {
        expect(got.members[0]![1_500]!.contactId, name).toBe(`${contacts[1_500]}\nb`);
        expect(got.members[0]!.toSpliced(1_500, 1), name).toEqual(want.members[0]!.toSpliced(1_500, 1));
        expect(got.coupons, name).toEqual(want.coupons);
      } else if (name === 'a contact with 5,000 coupons') {
        expect(got.coupons[0]!.filter(([contactId]) => contactId === contacts[5]), name).toHaveLength(5_000);
        expect(existsSync(sortedFileOf(area.dir, 'coupons')), name).toBe(false);
      } else {
        expect(got, name).toEqual(want);
        expect(existsSync(sortedFileOf(area.dir, 'members')), name).toBe(false);
      }
      area.remove();
    }
    expected.remove();
  });

  it('keeps documents longer than its read and write buffers whole', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-sorted-'));
    const area = newArea('long');
    const long = (n: number, char: string) => `{"text":"${char.repeat(n)}"}`;
    const rows = [
      { contactId: 'A', file: 'members.csv', line: 2, doc: long(10, 'a') },
      { contactId: 'B', file: 'members.csv', line: 3, doc: long(100_000, 'å') },
      { contactId: 'C', file: 'members.csv', line: 4, doc: long(300_000, '€') },
      { contactId: 'D', file: 'members.csv', line: 5, doc: long(5, 'd') },
    ];
    stage(area, { members: rows });
    expect(existsSync(sortedFileOf(area.dir, 'members'))).toBe(true);
    expect([...area.reader().members()].map((member) => member.doc)).toEqual(rows.map((row) => row.doc));
    area.remove();
  });
});
