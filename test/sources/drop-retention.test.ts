// Retention of a drop folder, local and over SFTP: archive/<YYYY-MM-DD>/ folders go by the date in their
// name, failed/ files with their .error.txt by the newer of the two times; incoming/ and names the job did
// not make stay. The newest dated archive folder is also the mark that an earlier run synced from here.
import { describe, expect, it } from 'vitest';
import { BACKENDS, csv, openBackend, openTestState, RUN_DATE } from './fixtures/drop-backends.ts';

const DAY_S = 86_400;
const daysAgo = (days: number) => Math.floor(RUN_DATE.getTime() / 1000) - days * DAY_S;

describe.each(BACKENDS)('drop folder retention (%s)', (kind) => {
  it('removes archive days and failed exports older than the retention, and nothing else', async () => {
    const backend = await openBackend(kind);
    // RUN_DATE is 2026-11-24 in Oslo: with 30 days, 2026-10-26 is the oldest day kept.
    for (const day of ['2026-10-01', '2026-10-25', '2026-10-26', '2026-11-24']) backend.put('members.csv', csv('members'), { folder: `archive/${day}` });
    backend.put('readme.txt', 'not ours', { folder: 'archive/notes', mtime: daysAgo(400) });
    backend.put('members.csv', csv('members'), { folder: 'failed', mtime: daysAgo(400) });
    backend.put('members.csv.error.txt', 'why', { folder: 'failed', mtime: daysAgo(31) });
    // An old upload whose note is recent (it failed yesterday) stays with its note.
    backend.put('coupons.csv', csv('coupons'), { folder: 'failed', mtime: daysAgo(400) });
    backend.put('coupons.csv.error.txt', 'why', { folder: 'failed', mtime: daysAgo(1) });
    backend.put('members-2026-01-01.csv', csv('members'), { mtime: daysAgo(400) });
    const { logger } = openTestState();
    const source = backend.source();

    expect(await source.syncedBefore!(logger)).toMatch(/\/archive\/2026-11-24$/);
    const pruned = await source.prune!(30, logger);

    expect(pruned.problems).toEqual([]);
    expect(pruned.removed.sort()).toEqual(['archive/2026-10-01', 'archive/2026-10-25', 'failed/members.csv', 'failed/members.csv.error.txt']);
    expect(backend.names('archive')).toEqual(['2026-10-26', '2026-11-24', 'notes']);
    expect(backend.names('failed')).toEqual(['coupons.csv', 'coupons.csv.error.txt']);
    expect(backend.names('incoming')).toEqual(['members-2026-01-01.csv']);
  });

  it('finds no earlier run where archive/ holds no dated folder', async () => {
    const backend = await openBackend(kind);
    backend.put('readme.txt', 'not ours', { folder: 'archive/notes' });
    const { logger } = openTestState();
    expect(await backend.source().syncedBefore!(logger)).toBeUndefined();
  });
});
