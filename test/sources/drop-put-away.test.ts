// Where an export goes once the run's outcome is known: archive/<date>/ when it was synced (also
// partially), failed/ with a <name>.error.txt saying why when it was refused or failed, nowhere on a dry
// run, and nowhere when the run crashed before settling.
import { describe, expect, it } from 'vitest';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

describe.each(BACKENDS)('settling a %s drop folder', (kind) => {
  async function pulledExport(kind2 = kind) {
    const backend = await openBackend(kind2);
    backend.put('members-2026-11-23.csv', csv('members', 3));
    backend.put('coupons-2026-11-23.csv', csv('coupons', 2));
    backend.put('2026-11-23.done', '');
    const source = backend.source();
    const pulled = await source.pull(openTestState());
    if (!pulled) throw new Error('expected an export');
    return { backend, source, pulled };
  }

  it.each(['succeeded', 'partial'] as const)('moves a %s export with its marker to archive/<run date>/ and says where each file went', async (outcome) => {
    const { backend, source, pulled } = await pulledExport();
    const placements = await source.putAway(pulled, outcome);
    expect(placements).toEqual([
      { name: 'coupons-2026-11-23.csv', movedTo: 'archive/2026-11-24/coupons-2026-11-23.csv' },
      { name: 'members-2026-11-23.csv', movedTo: 'archive/2026-11-24/members-2026-11-23.csv' },
      { name: '2026-11-23.done', movedTo: 'archive/2026-11-24/2026-11-23.done' },
    ]);
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.read('archive/2026-11-24/members-2026-11-23.csv')).toBe(csv('members', 3));
    expect(backend.names('failed')).toEqual([]);
  });

  it.each(['refused', 'failed'] as const)('moves a %s export to failed/ with an error note per data file', async (outcome) => {
    const { backend, source, pulled } = await pulledExport();
    const reason = 'the export would delete 40 of 60 known members (66.7% > 5%); nothing was sent';
    const placements = await source.putAway(pulled, outcome, reason);
    expect(placements.map((file) => file.movedTo)).toEqual(['failed/coupons-2026-11-23.csv', 'failed/members-2026-11-23.csv', 'failed/2026-11-23.done']);
    expect(backend.names('failed')).toEqual(['2026-11-23.done', 'coupons-2026-11-23.csv', 'coupons-2026-11-23.csv.error.txt', 'members-2026-11-23.csv', 'members-2026-11-23.csv.error.txt']);
    const note = backend.read('failed/members-2026-11-23.csv.error.txt');
    expect(note).toContain(`outcome:  ${outcome}`);
    expect(note).toContain(`reason:   ${reason}`);
    expect(note).toContain('file:     members-2026-11-23.csv (');
    expect(note).toContain('move the export\'s files back into incoming/');
    expect(backend.names('incoming')).toEqual([]);
    expect(backend.names('archive')).toEqual([]);
  });

  it('leaves everything in incoming/ on a dry run', async () => {
    const { backend, source, pulled } = await pulledExport();
    expect(await source.putAway(pulled, 'dry-run')).toEqual([{ name: 'coupons-2026-11-23.csv' }, { name: 'members-2026-11-23.csv' }]);
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'coupons-2026-11-23.csv', 'members-2026-11-23.csv']);
  });

  it('leaves everything in incoming/ when the run ends without settling (a crash), and the next run takes it again', async () => {
    const { backend, source, pulled } = await pulledExport();
    await source.close(); // what a dying process gets at most
    expect(backend.names('incoming')).toEqual(['2026-11-23.done', 'coupons-2026-11-23.csv', 'members-2026-11-23.csv']);
    const again = await backend.source().pull(openTestState());
    expect(again?.id).toBe(pulled.id);
    expect(again?.files.map((file) => file.name)).toEqual(pulled.files.map((file) => file.name));
  });

  it('never overwrites an archived file: a second file of the same name gets a numbered name', async () => {
    const { backend, source, pulled } = await pulledExport();
    backend.put('members-2026-11-23.csv', 'an older copy', { folder: 'archive/2026-11-24' });
    const placements = await source.putAway(pulled, 'succeeded');
    expect(placements).toContainEqual({ name: 'members-2026-11-23.csv', movedTo: 'archive/2026-11-24/members-2026-11-23.2.csv' });
    expect(backend.read('archive/2026-11-24/members-2026-11-23.csv')).toBe('an older copy');
    expect(backend.read('archive/2026-11-24/members-2026-11-23.2.csv')).toBe(csv('members', 3));
  });

  it('removes its local copies once the export is put away', async () => {
    const { source, pulled } = await pulledExport();
    const { existsSync } = await import('node:fs');
    expect(pulled.files.every((file) => existsSync(file.path))).toBe(true);
    await source.putAway(pulled, 'succeeded');
    expect(pulled.files.some((file) => existsSync(file.path))).toBe(false);
  });

  it('puts a complete export without a members file into failed/ while pulling, and fails the run', async () => {
    const backend = await openBackend(kind);
    backend.put('coupons-2026-11-23.csv', csv('coupons'));
    backend.put('2026-11-23.done', '');
    await expect(backend.source().pull(openTestState())).rejects.toMatchObject({ code: 'SOURCE_NO_MEMBERS', message: expect.stringContaining('moved to failed/') });
    expect(backend.names('failed')).toEqual(['2026-11-23.done', 'coupons-2026-11-23.csv', 'coupons-2026-11-23.csv.error.txt']);
    expect(backend.read('failed/coupons-2026-11-23.csv.error.txt')).toMatch(/outcome: {2}invalid[\s\S]*has no members file/);
  });

  it('uses the configured folder names', async () => {
    const backend = await openBackend(kind);
    backend.put('members.csv', csv('members'), { folder: 'inbox' });
    backend.put('.done', '', { folder: 'inbox' });
    const source = backend.source({ settings: { incoming: 'inbox', archive: 'done', failed: 'rejected' } });
    const pulled = await source.pull(openTestState());
    expect(pulled?.id).toBe('inbox');
    expect(await source.putAway(pulled!, 'refused', 'no')).toEqual([
      { name: 'members.csv', movedTo: 'rejected/members.csv' },
      { name: '.done', movedTo: 'rejected/.done' },
    ]);
  });
});
