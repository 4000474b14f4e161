// File names are the merchant's: `files` in the config gives each kind its glob (`"members":
// "medlemmer*.csv"`), in plain folders, local drop folders and SFTP drop folders alike, and for
// `validate`. What the wildcards match is the export key drop folders group by. A glob that two kinds
// share, or a file that two globs match, is an error that says so.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roleOfName } from '../../src/sources/drop/names.ts';
import { fileGlobsSchema } from '../../src/config/source-settings.ts';
import { fileKinds } from '../../src/sources/file-kinds.ts';
import { runCli } from '../fixtures/cli.ts';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

const NORWEGIAN = { members: 'medlemmer*.csv', coupons: 'kuponger*.csv', stampCards: 'stempelkort*.csv', bonusChecks: 'bonussjekker*.csv' };

describe('file-name globs', () => {
  it('find a plain folder\'s files by the config\'s globs; files with the default names are then not read', async () => {
    const sandbox = await sandboxForTest();
    const work = writeFiles(tempDir(), { 'config.json': JSON.stringify({ files: NORWEGIAN }) });
    const exportDir = writeFiles(tempDir(), {
      'Medlemmer 2026-11-24.CSV': 'contact_id,phone_number\nM1,41234001\nM2,41234002\n',
      'kuponger_2026-11-24.csv': 'contact_id,coupon_id,title\nM1,C1,Kaffe\n',
      'coupons.csv': 'contact_id,coupon_id,title\nM2,C9,Not read\n',
    });
    const night = await runNight(exportDir, work, sandbox.url, ['--config', join(work, 'config.json')]);
    expect(night.code).toBe(0);
    expect(night.report.source.files.map((file) => [file.name, file.kind])).toEqual([
      ['Medlemmer 2026-11-24.CSV', 'members'],
      ['kuponger_2026-11-24.csv', 'coupons'],
    ]);
    // The date in the members file's name is still the export's as-of time.
    expect(night.report.source.asOfFrom).toBe('file name');
    expect(sandbox.members().map((member) => [member.contactId, member.coupons.map((coupon) => coupon.couponId)])).toEqual([
      ['M1', ['C1']],
      ['M2', []],
    ]);
  });

  it('come from flags too, and `validate` tells kinds by them', async () => {
    const dir = writeFiles(tempDir(), { 'medlemmer.csv': 'contact_id,phone_number\nM1,41234001\n', 'kuponger.csv': 'contact_id,coupon_id,title\nM9,C1,Kaffe\n' });
    const result = await runCli(['validate', join(dir, 'medlemmer.csv'), join(dir, 'kuponger.csv'), '--members-files', 'medlemmer*.csv', '--coupons-files', 'kuponger*.csv']);
    expect(result.stdout).toMatch(/kuponger\.csv:2 contact_id: expected a contact_id that is in the members file, got "M9"/);
    const unknown = await runCli(['validate', join(dir, 'medlemmer.csv')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('cannot tell the kind from the name (members*.csv, coupons*.csv, stamp_cards*.csv, bonus_checks*.csv)');
  });

  it('make the wildcard part the export key, temporary names included', () => {
    const kinds = fileKinds(fileGlobsSchema.parse(NORWEGIAN));
    expect(roleOfName('medlemmer-2026-11-24.csv', kinds)).toEqual({ role: 'data', kind: 'members', key: '2026-11-24' });
    expect(roleOfName('Kuponger_2026-11-24.CSV', kinds)).toEqual({ role: 'data', kind: 'coupons', key: '2026-11-24' });
    expect(roleOfName('medlemmer-2026-11-24.csv.part', kinds)).toEqual({ role: 'temporary', key: '2026-11-24' });
    expect(roleOfName('.kuponger-2026-11-24.csv.a8Zk2q', kinds)).toEqual({ role: 'temporary', key: '2026-11-24' });
    expect(roleOfName('members-2026-11-24.csv', kinds)).toEqual({ role: 'other' });
    const textFiles = fileKinds(fileGlobsSchema.parse({ members: 'medlemmer_????-??-??.txt' }));
    expect(roleOfName('medlemmer_2026-11-24.txt', textFiles)).toEqual({ role: 'data', kind: 'members', key: '2026-11-24' });
    expect(roleOfName('medlemmer_2026-11.txt', textFiles)).toEqual({ role: 'other' });
  });

  it('that two kinds share are a configuration error (exit 2)', async () => {
    const dir = writeFiles(tempDir(), { 'config.json': JSON.stringify({ files: { members: 'export*.csv', coupons: 'EXPORT*.csv' } }), 'export.csv': 'contact_id,phone_number\n' });
    const result = await runCli(['validate', join(dir, 'export.csv'), '--config', join(dir, 'config.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('files: two kinds have the same glob');
  });

  it('that both match one file fail the run with SOURCE_AMBIGUOUS, naming the file and both globs', async () => {
    const sandbox = await sandboxForTest();
    const work = writeFiles(tempDir(), { 'config.json': JSON.stringify({ files: { members: '*.csv' } }) });
    const exportDir = writeFiles(tempDir(), { 'medlemmer.csv': 'contact_id,phone_number\nM1,41234001\n', 'coupons.csv': 'contact_id,coupon_id,title\nM1,C1,Kaffe\n' });
    const night = await runNight(exportDir, work, sandbox.url, ['--config', join(work, 'config.json')]);
    expect(night.code).toBe(1);
    expect(night.report.error).toEqual({
      code: 'SOURCE_AMBIGUOUS',
      message: 'the file name coupons.csv matches the globs of members ("*.csv") and coupons ("coupons*.csv"); make the "files" globs in the config tell them apart',
    });
    expect(sandbox.stats().requests).toBe(0);
  });
});

describe.each(BACKENDS)('file-name globs in a %s drop folder', (kind) => {
  it('group files into exports by what the wildcards matched, and archive them after the run', async () => {
    const backend = await openBackend(kind);
    for (const day of ['2026-11-23', '2026-11-24']) {
      backend.put(`medlemmer-${day}.csv`, csv('members', 2, day));
      backend.put(`kuponger-${day}.csv`, csv('coupons', 1, day));
      backend.put(`${day}.done`, '');
    }
    backend.put('members-2026-11-25.csv', csv('members', 1));
    const source = backend.source({ files: NORWEGIAN });
    const pulled = await source.pull(openTestState());
    expect(pulled?.id).toBe('2026-11-24');
    expect(pulled?.files.map((file) => [file.name, file.kind])).toEqual([
      ['kuponger-2026-11-24.csv', 'coupons'],
      ['medlemmer-2026-11-24.csv', 'members'],
    ]);
    expect(pulled?.superseded).toEqual([{ id: '2026-11-23', files: ['kuponger-2026-11-23.csv', 'medlemmer-2026-11-23.csv'] }]);
    await source.putAway(pulled!, 'succeeded');
    // A file the globs do not name is left alone.
    expect(backend.names('incoming')).toEqual(['members-2026-11-25.csv']);
  });
});
