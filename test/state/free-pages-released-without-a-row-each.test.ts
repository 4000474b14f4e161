// Giving free pages back (releaseFreePages, auto_vacuum = INCREMENTAL): `PRAGMA incremental_vacuum` yields
// one row per page it frees. Collected into an array, the hundreds of thousands of pages a first night at
// 1M members frees (its sent bodies) ran the job out of its 64 MB heap at the end of the run.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect, it } from 'vitest';
import { releaseFreePages } from '../../src/state/store.ts';
import { tempDir } from '../fixtures/temp.ts';

it('gives every free page back without reading a row per page', () => {
  const db = new DatabaseSync(join(tempDir(), 'state.sqlite'));
  try {
    db.exec('PRAGMA auto_vacuum = INCREMENTAL; CREATE TABLE bodies (body BLOB)');
    const insert = db.prepare('INSERT INTO bodies VALUES (randomblob(3000))');
    db.exec('BEGIN');
    for (let row = 0; row < 5_000; row++) insert.run();
    db.exec('COMMIT');
    db.exec('DELETE FROM bodies');
    const count = (pragma: string) => Object.values(db.prepare(`PRAGMA ${pragma}`).get()!)[0] as number;
    const free = count('freelist_count');
    expect(free).toBeGreaterThan(4_000);

    // The same file, counting the rows its statements hand back while pages are released.
    let rowsRead = 0;
    const counting = {
      exec: (sql: string) => db.exec(sql),
      prepare: (sql: string) => {
        const statement = db.prepare(sql);
        return {
          get: () => ((rowsRead += 1), statement.get()),
          all: () => ((rows) => ((rowsRead += rows.length), rows))(statement.all()),
        };
      },
    } as unknown as DatabaseSync;
    expect(releaseFreePages(counting)).toBe(free);
    expect(count('freelist_count')).toBe(0);
    // freelist_count and page_count: one row each.
    expect(rowsRead).toBe(2);
  } finally {
    db.close();
  }
});
