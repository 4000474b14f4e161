// The ledger in the state file: a file already processed (same name, same content) is not processed
// again, whoever puts it back into incoming/; a re-upload with different content is.
import { describe, expect, it } from 'vitest';
import { sourceLedger } from '../../src/state/ledger.ts';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

describe.each(BACKENDS)('ledger of processed files in a %s drop folder', (kind) => {
  async function processOnce(outcome: 'succeeded' | 'partial' | 'refused' = 'succeeded') {
    const backend = await openBackend(kind);
    const state = openTestState();
    backend.put('members-2026-11-23.csv', csv('members', 2));
    backend.put('2026-11-23.done', '');
    const source = backend.source();
    const pulled = await source.pull(state);
    await source.putAway(pulled!, outcome, 'reason');
    return { backend, state };
  }

  it('records the processed files with their hash and where they went', async () => {
    const { state } = await processOnce();
    const { createHash } = await import('node:crypto');
    const entry = sourceLedger(state.db).find('members-2026-11-23.csv', createHash('sha256').update(csv('members', 2)).digest('hex'));
    expect(entry).toMatchObject({ exportId: '2026-11-23', outcome: 'succeeded', bytes: Buffer.byteLength(csv('members', 2)), movedTo: 'archive/2026-11-24/members-2026-11-23.csv' });
  });

  it.each(['succeeded', 'partial'] as const)('does not sync the same file again after a %s run: it is archived as already processed', async (outcome) => {
    const { backend, state } = await processOnce(outcome);
    backend.put('members-2026-11-23.csv', csv('members', 2)); // the uploader sends it once more
    backend.put('2026-11-23.done', '');
    expect(await backend.source().pull(state)).toBeUndefined();
    expect(state.logs.join('')).toContain('export already processed');
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names('archive/2026-11-24')).toEqual(['2026-11-23.2.done', '2026-11-23.done', 'members-2026-11-23.2.csv', 'members-2026-11-23.csv']);
  });

  it('syncs a re-upload under the same name with different content', async () => {
    const { backend, state } = await processOnce();
    backend.put('members-2026-11-23.csv', csv('members', 3));
    backend.put('2026-11-23.done', '');
    const pulled = await backend.source().pull(state);
    expect(pulled?.files.map((file) => file.name)).toEqual(['members-2026-11-23.csv']);
  });

  it('syncs the export again when one of its files changed', async () => {
    const backend = await openBackend(kind);
    const state = openTestState();
    backend.put('members-2026-11-23.csv', csv('members', 2));
    backend.put('coupons-2026-11-23.csv', csv('coupons', 1));
    backend.put('2026-11-23.done', '');
    const source = backend.source();
    await source.putAway((await source.pull(state))!, 'succeeded');
    backend.put('members-2026-11-23.csv', csv('members', 2));
    backend.put('coupons-2026-11-23.csv', csv('coupons', 2));
    backend.put('2026-11-23.done', '');
    const pulled = await backend.source().pull(state);
    expect(pulled?.files.map((file) => file.name).sort()).toEqual(['coupons-2026-11-23.csv', 'members-2026-11-23.csv']);
  });

  it('does not record a refused export: moved back into incoming/, it is synced', async () => {
    const { backend, state } = await processOnce('refused');
    backend.put('members-2026-11-23.csv', backend.read('failed/members-2026-11-23.csv'));
    backend.put('2026-11-23.done', '');
    expect((await backend.source().pull(state))?.id).toBe('2026-11-23');
  });

  it('archives older waiting exports as superseded when the newest one was already processed', async () => {
    const { backend, state } = await processOnce();
    backend.put('members-2026-11-22.csv', csv('members', 5));
    backend.put('members-2026-11-23.csv', csv('members', 2));
    backend.put('.done', '');
    expect(await backend.source().pull(state)).toBeUndefined();
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names('archive/2026-11-24')).toContain('members-2026-11-22.csv');
  });

  it('leaves an already processed file in incoming/ on a dry run', async () => {
    const { backend, state } = await processOnce();
    backend.put('members-2026-11-23.csv', csv('members', 2));
    backend.put('2026-11-23.done', '');
    expect(await backend.source().pull({ ...state, dryRun: true })).toBeUndefined();
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'members-2026-11-23.csv']);
  });
});
