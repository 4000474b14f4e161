// Staging is read back a page at a time (keyset pagination); every row must come back exactly once, in
// the key order the merge relies on, across many page boundaries and with keys that tie on contact_id.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/base/canonical.ts';
import { createStagingArea } from '../../src/state/staging.ts';
import { openStagingWriter, type Duplicate } from '../../src/state/staging-writer.ts';
import { shuffled } from '../fixtures/shuffle.ts';

let dir: string;
const noDuplicate = (duplicate: Duplicate) => expect.unreachable(`unexpected duplicate ${JSON.stringify(duplicate)}`);
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('staging reader', () => {
  it('returns every staged member and item once, in contact_id (then item_id) order, across pages', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-'));
    const area = createStagingArea(join(dir, 'state.sqlite'), 'run1');
    // Several pages' worth (a page is 1,024 rows), keys with non-ASCII characters, several items per contact.
    const contacts = Array.from({ length: 3_000 }, (_, i) => (i % 7 === 0 ? `Ø-${i}` : i % 11 === 0 ? `\u{1F600}${i}` : `M-${i}`));
    const items = contacts.flatMap((contactId, i) => Array.from({ length: (i % 4) + 1 }, (_, n) => [contactId, `CP-${(n * 7919) % 13}-${n}`] as const));

    const members = openStagingWriter(area.dir, 'members');
    for (const [line, contactId] of shuffled(contacts, 1).entries()) members.add(contactId, undefined, 'members.csv', line + 2, '+4791234567', `{"c":"${contactId}"}`, noDuplicate);
    members.close();
    const coupons = openStagingWriter(area.dir, 'coupons');
    for (const [line, [contactId, itemId]] of shuffled([...items], 2).entries()) {
      coupons.add(contactId, itemId, 'coupons.csv', line + 2, undefined, `{"i":"${itemId}"}`, noDuplicate);
    }
    coupons.close();

    const reader = area.reader();
    const readMembers = [...reader.members()].map((member) => member.contactId);
    expect(readMembers).toEqual([...contacts].sort(compareKeys));
    const readItems = [...reader.items('coupons')].map(([contactId, itemId, doc]) => {
      expect(doc).toBe(`{"i":"${itemId}"}`);
      return `${contactId}\u0000${itemId}`;
    });
    const expected = [...items].sort(([c1, i1], [c2, i2]) => compareKeys(c1, c2) || compareKeys(i1, i2)).map(([c, i]) => `${c}\u0000${i}`);
    expect(readItems).toEqual(expected);
    expect([...reader.items('stampCards')]).toEqual([]);
    area.remove();
  });

  it('reports each later row with an already staged key, in and across batches and files, and keeps the first', () => {
    dir = mkdtempSync(join(tmpdir(), 'staging-'));
    const area = createStagingArea(join(dir, 'state.sqlite'), 'run1');
    const writer = openStagingWriter(area.dir, 'coupons');
    const duplicates: (Duplicate & { file: string })[] = [];
    const add = (file: string, line: number, contactId: string, itemId: string) =>
      writer.add(contactId, itemId, file, line, undefined, `{"line":${line}}`, (duplicate) => duplicates.push({ ...duplicate, file }));
    for (let line = 2; line <= 101; line++) add('coupons.csv', line, `M-${line}`, 'CP-1');
    add('coupons.csv', 102, 'M-5', 'CP-1'); // staged batches ago
    add('coupons.csv', 103, 'M-103', 'CP-1');
    add('coupons.csv', 104, 'M-103', 'CP-1'); // same batch
    add('coupons.csv', 105, 'M-103', 'CP-2'); // same contact, other item: fine
    writer.flush();
    // A second file of the same kind has the same line numbers: a row there is not a duplicate of itself.
    add('coupons-2.csv', 2, 'M-2', 'CP-9');
    add('coupons-2.csv', 3, 'M-3', 'CP-1'); // first file's line 3
    writer.close();
    expect(duplicates).toEqual([
      { file: 'coupons.csv', contactId: 'M-5', itemId: 'CP-1', line: 102, earlierLine: 5 },
      { file: 'coupons.csv', contactId: 'M-103', itemId: 'CP-1', line: 104, earlierLine: 103 },
      { file: 'coupons-2.csv', contactId: 'M-3', itemId: 'CP-1', line: 3, earlierLine: 3 },
    ]);
    const items = [...area.reader().items('coupons')];
    expect(items).toHaveLength(103);
    expect(items.find(([contactId]) => contactId === 'M-5')).toEqual(['M-5', 'CP-1', '{"line":5}']);
    area.remove();
  });
});
