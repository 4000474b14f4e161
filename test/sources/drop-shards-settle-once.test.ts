// Sharded pulls of one drop folder (local and SFTP): no shard moves the export on its own, a shard does not
// read an export that is being put away, a dry run leaves no registration behind, and a settle whose
// shard was killed (its lock left without `settled.json`) is taken over once the lock is stale, and only
// then. The whole night with real processes: test/sync/shards-share-one-drop-folder.test.ts.
import { describe, expect, it } from 'vitest';
import { BACKENDS, csv, openBackend, openTestState, RUN_DATE, type DropBackend } from './fixtures/drop-backends.ts';

const COUNT = 2;

describe.each(BACKENDS)('shards on a %s drop folder', (kind) => {
  async function dropWithExport(): Promise<DropBackend> {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-23.csv', csv('members', 3));
    backend.put('2026-11-23.done', '');
    return backend;
  }
  const shard = (backend: DropBackend, index: number, options: { dryRun?: boolean } = {}) => ({ source: backend.source({ shard: { index, count: COUNT } }), state: openTestState(options) });
  const markerFolder = (backend: DropBackend) => {
    const [folder] = backend.names('shards');
    return `shards/${folder}`;
  };

  it('the first shard to finish moves nothing; the last archives the export once', async () => {
    const backend = await dropWithExport();
    const first = shard(backend, 1);
    const pulled = (await first.source.pull(first.state))!;
    const warnings: string[] = [];
    expect(await first.source.putAway(pulled, 'succeeded', undefined, (warning) => warnings.push(warning))).toEqual([{ name: 'members-2026-11-23.csv' }]);
    expect(warnings).toEqual([expect.stringContaining('export 2026-11-23 stays in incoming/ until shard 0 of 2 has finished with it')]);
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'members-2026-11-23.csv']);
    expect(backend.names(markerFolder(backend))).toEqual(['shard-1-of-2.done']);

    const last = shard(backend, 0);
    const placements = await last.source.putAway((await last.source.pull(last.state))!, 'partial');
    expect(placements.map((file) => file.movedTo)).toEqual(['archive/2026-11-24/members-2026-11-23.csv', 'archive/2026-11-24/2026-11-23.done']);
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names(markerFolder(backend))).toEqual(['settle-1.lock', 'settled.json', 'shard-0-of-2.done', 'shard-1-of-2.done']);
  });

  it('a dry-run shard registers while it reads and leaves no outcome', async () => {
    const backend = await dropWithExport();
    const dry = shard(backend, 0, { dryRun: true });
    const pulled = (await dry.source.pull(dry.state))!;
    expect(backend.names(markerFolder(backend))).toEqual(['shard-0-of-2.reading']);
    await dry.source.putAway(pulled, 'dry-run');
    expect(backend.names(markerFolder(backend))).toEqual([]);
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'members-2026-11-23.csv']);
  });

  it('does not read an export another shard is putting away, and takes over a settle whose shard was killed once its lock is stale', async () => {
    const backend = await dropWithExport();
    const first = shard(backend, 0);
    await first.source.putAway((await first.source.pull(first.state))!, 'succeeded');
    const folder = markerFolder(backend);
    // Shard 1 ended, took the lock and was killed before it moved anything.
    backend.put('shard-1-of-2.done', JSON.stringify({ at: RUN_DATE.toISOString() }), { folder });
    backend.put('settle-1.lock', JSON.stringify({ at: RUN_DATE.toISOString(), host: 'pod-1', pid: 7 }), { folder });

    const warnings: string[] = [];
    const again = shard(backend, 0);
    expect(await again.source.pull({ ...again.state, onWarning: (warning) => warnings.push(warning) })).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('export 2026-11-23 is put away by another shard: not read')]);
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'members-2026-11-23.csv']);
    expect(backend.names(folder)).toEqual(['settle-1.lock', 'shard-0-of-2.done', 'shard-1-of-2.done']);

    // Ten minutes later the lock is stale (--lock-stale-seconds 120): the next shard run finishes the settle.
    backend.put('settle-1.lock', JSON.stringify({ at: new Date(RUN_DATE.getTime() - 600_000).toISOString(), host: 'pod-1', pid: 7 }), { folder });
    const later = shard(backend, 1);
    expect(await later.source.pull(later.state)).toBeUndefined();
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names('archive/2026-11-24')).toEqual(['2026-11-23.done', 'members-2026-11-23.csv']);
    expect(backend.names(folder)).toEqual(['settle-1.lock', 'settle-2.lock', 'settled.json', 'shard-0-of-2.done', 'shard-1-of-2.done']);
  });
});
