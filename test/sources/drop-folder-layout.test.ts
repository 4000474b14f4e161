// The drop folder's layout: incoming/ must exist; archive/ and failed/ are created when first needed;
// anything in incoming/ that is not part of an export (other files, folders) is neither read nor moved.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupIncoming } from '../../src/sources/drop/exports.ts';
import { roleOfName } from '../../src/sources/drop/names.ts';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

describe('names in incoming/', () => {
  it('group into exports by the part after the kind prefix', () => {
    expect(roleOfName('members-2026-11-24.csv')).toEqual({ role: 'data', kind: 'members', key: '2026-11-24' });
    expect(roleOfName('stamp_cards_2026-11-24.csv')).toEqual({ role: 'data', kind: 'stampCards', key: '2026-11-24' });
    expect(roleOfName('Bonus_Checks-20261124T0300.CSV')).toEqual({ role: 'data', kind: 'bonusChecks', key: '20261124T0300' });
    expect(roleOfName('coupons.csv')).toEqual({ role: 'data', kind: 'coupons', key: '' });
    expect(roleOfName('2026-11-24.done')).toEqual({ role: 'done', key: '2026-11-24' });
    expect(roleOfName('.done')).toEqual({ role: 'done', key: undefined });
    expect(roleOfName('2026-11-24.manifest.json')).toEqual({ role: 'manifest', key: '2026-11-24' });
    expect(roleOfName('manifest.json')).toEqual({ role: 'manifest', key: '' });
    expect(roleOfName('members-2026-11-24.csv.part')).toEqual({ role: 'temporary', key: '2026-11-24' });
    expect(roleOfName('coupons-2026-11-24.csv.filepart')).toEqual({ role: 'temporary', key: '2026-11-24' });
    expect(roleOfName('members.csv.tmp')).toEqual({ role: 'temporary', key: '' });
    expect(roleOfName('2026-11-24.done.tmp')).toEqual({ role: 'temporary', key: undefined });
    expect(roleOfName('.members-2026-11-24.csv.a8Zk2q')).toEqual({ role: 'temporary', key: '2026-11-24' });
    expect(roleOfName('.DS_Store')).toEqual({ role: 'temporary', key: undefined });
    expect(roleOfName('readme.txt')).toEqual({ role: 'other' });
    expect(roleOfName('members-2026-11-24.xlsx')).toEqual({ role: 'other' });
  });

  it('form one export per key; markers without data and other names are set aside', () => {
    const file = (name: string, isFile = true) => ({ name, isFile, size: 1, mtimeMs: 0 });
    const listing = groupIncoming([
      file('members-2026-11-24.csv'),
      file('coupons-2026-11-24.csv'),
      file('members-2026-11-23.csv'),
      file('2026-11-24.done'),
      file('2026-11-25.done'),
      file('members-2026-11-26.csv.part'),
      file('notes.txt'),
      file('members-old.csv', false),
    ]);
    expect(listing.candidates.map((candidate) => [candidate.key, candidate.data.map((entry) => entry.name), candidate.done?.name])).toEqual([
      ['2026-11-23', ['members-2026-11-23.csv'], undefined],
      ['2026-11-24', ['coupons-2026-11-24.csv', 'members-2026-11-24.csv'], '2026-11-24.done'],
    ]);
    expect(listing.ignored.sort()).toEqual(['2026-11-25.done', 'members-2026-11-26.csv.part', 'members-old.csv', 'notes.txt']);
  });
});

describe.each(BACKENDS)('layout of a %s drop folder', (kind) => {
  it('without an incoming/ folder: an SFTP source fails with SOURCE_NOT_FOUND, a local folder is read as a plain folder', async () => {
    const backend = await openBackend(kind);
    backend.put('members.csv', csv('members'), { folder: '.' });
    const source = backend.source({ settings: { incoming: 'inbox' } });
    if (kind === 'sftp') {
      await expect(source.pull(openTestState())).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringContaining('/drop has no inbox/ folder') });
    } else {
      const pulled = await source.pull(openTestState());
      expect(pulled?.files.map((file) => file.path)).toEqual([join(backend.root, 'members.csv')]);
      expect(await source.putAway(pulled!, 'succeeded')).toEqual([]);
    }
  });

  it('creates archive/<date>/ when first needed and leaves unknown files and folders in incoming/', async () => {
    const backend = await openBackend(kind);
    backend.put('members.csv', csv('members'));
    backend.put('.done', '');
    backend.put('README.txt', 'from the merchant');
    mkdirSync(join(backend.root, 'incoming', 'members-2026-11-01.csv'));
    const source = backend.source();
    const pulled = await source.pull(openTestState());
    expect(pulled?.files.map((file) => file.name)).toEqual(['members.csv']);
    await source.putAway(pulled!, 'succeeded');
    expect(backend.names('incoming')).toEqual(['README.txt', 'members-2026-11-01.csv']);
    expect(backend.names('archive/2026-11-24')).toEqual(['.done', 'members.csv']);
  });
});

describe('an incoming/ that cannot be listed', () => {
  it('fails the pull with SOURCE_NOT_FOUND and the reason', async () => {
    const backend = await openBackend('sftp');
    const { rmSync, writeFileSync } = await import('node:fs');
    rmSync(join(backend.root, 'incoming'), { recursive: true });
    writeFileSync(join(backend.root, 'incoming'), 'a file where the folder should be');
    await expect(backend.source().pull(openTestState())).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringContaining('/drop/incoming cannot be listed: ') });
  });
});
