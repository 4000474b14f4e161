// The merge joins SQLite cursors on contact_id, so our key order must be SQLite's (UTF-8 bytes).
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../src/base/canonical.ts';

describe('compareKeys', () => {
  it('orders strings exactly as SQLite orders TEXT keys', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY) WITHOUT ROWID');
    const insert = db.prepare('INSERT OR IGNORE INTO t VALUES (?)');
    const select = db.prepare('SELECT k FROM t ORDER BY k');
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 4 }), { minLength: 2, maxLength: 20 }), (keys) => {
        db.exec('DELETE FROM t');
        for (const key of keys) insert.run(key);
        const fromSqlite = (select.all() as { k: string }[]).map((row) => row.k);
        expect([...keys].sort(compareKeys)).toEqual(fromSqlite);
      }),
    );
    // The case where UTF-16 order and code point order disagree.
    expect(['\u{1F600}', '\uFF10'].sort(compareKeys)).toEqual(['\uFF10', '\u{1F600}']);
  });
});
