// A large export is read in two lanes (main thread + a worker thread). The result must be exactly what
// one lane gives: the same staged rows, rejects, line numbers and errors.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvError } from '../../src/errors.ts';
import { ingestFiles } from '../fixtures/ingest.ts';
import { SAMPLES } from '../fixtures/sync.ts';

const night2 = Object.fromEntries(readdirSync(join(SAMPLES, 'night-2')).map((name) => [name, readFileSync(join(SAMPLES, 'night-2', name))]));

describe('parallel ingest lanes', () => {
  it('stage, reject and count exactly as a single lane does', async () => {
    const single = await ingestFiles(night2, {}, 1);
    const parallel = await ingestFiles(night2, {}, 2);
    expect(parallel.members).toEqual(single.members);
    expect(parallel.items).toEqual(single.items);
    expect(parallel.rejectedContacts).toEqual(single.rejectedContacts);
    expect([...parallel.rejects].sort(byPosition)).toEqual([...single.rejects].sort(byPosition));
    expect(parallel.result).toEqual(single.result);
    expect(single.rejects).toHaveLength(4);
  });

  it('bring a worker lane error back as the same CsvError with its position', async () => {
    const broken = { ...night2, 'coupons.csv': 'contact_id;title\r\nM-10001;Kaffe\r\n' };
    const attempt = ingestFiles(broken, {}, 2);
    await expect(attempt).rejects.toBeInstanceOf(CsvError);
    await expect(attempt).rejects.toMatchObject({ code: 'CSV_MISSING_COLUMN', position: { file: 'coupons.csv', line: 1, column: 'coupon_id' } });
  });
});

function byPosition(a: { file: string; line: number }, b: { file: string; line: number }): number {
  return a.file.localeCompare(b.file) || a.line - b.line;
}
