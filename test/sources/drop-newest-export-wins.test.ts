// Several complete exports waiting (e.g. after an outage): each is a full state, so only the newest is
// synced; the older ones are archived as superseded once the run's outcome is known.
import { describe, expect, it } from 'vitest';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

describe.each(BACKENDS)('newest export wins in a %s drop folder', (kind) => {
  it('syncs the export with the latest date in its name and archives the older ones as superseded', async () => {
    const backend = await openBackend(kind);
    for (const day of ['2026-11-22', '2026-11-24', '2026-11-23']) {
      backend.put(`members-${day}.csv`, csv('members', 2, day));
      backend.put(`coupons-${day}.csv`, csv('coupons', 1, day));
      backend.put(`${day}.done`, '');
    }
    const source = backend.source();
    const pulled = await source.pull(openTestState());
    expect(pulled?.id).toBe('2026-11-24');
    expect(pulled?.superseded).toEqual([
      { id: '2026-11-23', files: ['coupons-2026-11-23.csv', 'members-2026-11-23.csv'] },
      { id: '2026-11-22', files: ['coupons-2026-11-22.csv', 'members-2026-11-22.csv'] },
    ]);
    // Superseded exports are not even downloaded.
    if (backend.server) expect([...backend.server.stats.opens.keys()].filter((path) => !path.includes('2026-11-24'))).toEqual([]);

    const settled = await source.putAway(pulled!, 'succeeded');
    expect(pulled?.superseded?.map((entry) => entry.movedTo)).toEqual(['archive/2026-11-24', 'archive/2026-11-24']);
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names('archive/2026-11-24')).toEqual([
      '2026-11-22.done',
      '2026-11-23.done',
      '2026-11-24.done',
      'coupons-2026-11-22.csv',
      'coupons-2026-11-23.csv',
      'coupons-2026-11-24.csv',
      'members-2026-11-22.csv',
      'members-2026-11-23.csv',
      'members-2026-11-24.csv',
    ]);
    expect(settled).toContainEqual({ name: 'members-2026-11-23.csv', movedTo: 'archive/2026-11-24/members-2026-11-23.csv' });
  });

  it('orders exports without a date in their name by modification time', async () => {
    const backend = await openBackend(kind);
    backend.put('members-evening.csv', csv('members', 1, 'E'), { mtime: 1_790_000_000 });
    backend.put('members-morning.csv', csv('members', 1, 'M'), { mtime: 1_780_000_000 });
    backend.put('.done', '');
    const pulled = await backend.source().pull(openTestState());
    expect(pulled?.id).toBe('evening');
    expect(pulled?.asOfFrom).toBe('modification time');
    expect(pulled?.asOf.getTime()).toBe(1_790_000_000_000);
    expect(pulled?.superseded?.map((entry) => entry.id)).toEqual(['morning']);
  });

  it('does not count an incomplete newer export: the newest complete one is synced and the newer one waits', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-23.csv', csv('members'));
    backend.put('2026-11-23.done', '');
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.manifest.json', JSON.stringify({ files: [{ name: 'members-2026-11-24.csv', size: 1 }] }));
    const source = backend.source();
    const pulled = await source.pull(openTestState());
    expect(pulled?.id).toBe('2026-11-23');
    expect(pulled?.superseded).toBeUndefined();
    await source.putAway(pulled!, 'succeeded');
    expect(backend.names('incoming')).toEqual(['2026-11-24.manifest.json', 'members-2026-11-24.csv']);
  });

  it('leaves superseded exports in incoming/ on a dry run', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-23.csv', csv('members'));
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('.done', '');
    const source = backend.source();
    const pulled = await source.pull(openTestState({ dryRun: true }));
    expect(pulled?.superseded?.map((entry) => entry.id)).toEqual(['2026-11-23']);
    expect(await source.putAway(pulled!, 'dry-run')).toEqual([{ name: 'members-2026-11-24.csv' }]);
    expect(pulled?.superseded?.[0]?.movedTo).toBeUndefined();
    expect(backend.names('incoming')).toEqual(['.done', 'members-2026-11-23.csv', 'members-2026-11-24.csv']);
    expect(backend.names('archive')).toEqual([]);
  });
});
