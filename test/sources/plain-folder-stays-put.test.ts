// A local --source folder WITHOUT an incoming/ subfolder is a plain folder: one export, read as it is,
// never moved. With incoming/ it is a drop folder.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openSource } from '../../src/sources/open-source.ts';
import { csv, openTestState } from './fixtures/drop-backends.ts';

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'loyalty-sync-plain-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(folder, name, '..'), { recursive: true });
    writeFileSync(join(folder, name), content);
  }
  return folder;
}

describe('a local folder without incoming/', () => {
  it('is read in place on every run and never moved, whatever the outcome', async () => {
    const folder = folderWith({ 'members.csv': csv('members'), 'coupons.csv': csv('coupons') });
    const source = openSource(folder, { timeZone: 'Europe/Oslo' });
    for (const outcome of ['succeeded', 'refused'] as const) {
      const pulled = await source.pull(openTestState());
      expect(pulled?.files.map((file) => file.path).sort()).toEqual([join(folder, 'coupons.csv'), join(folder, 'members.csv')]);
      expect(await source.putAway(pulled!, outcome, 'x')).toEqual([]);
    }
    expect(readdirSync(folder).sort()).toEqual(['coupons.csv', 'members.csv']);
  });

  it('becomes a drop folder once it has an incoming/ subfolder', async () => {
    const folder = folderWith({ 'incoming/members.csv': csv('members'), 'incoming/.done': '' });
    const source = openSource(folder, { timeZone: 'Europe/Oslo' });
    const pulled = await source.pull(openTestState());
    expect(pulled?.files[0]?.path.startsWith(folder)).toBe(false);
    await source.putAway(pulled!, 'succeeded');
    expect(readdirSync(join(folder, 'incoming'))).toEqual([]);
    expect(readdirSync(join(folder, 'archive'))).toHaveLength(1);
  });

  it('refuses URLs it does not know, without echoing credentials', () => {
    expect(() => openSource('ftp://user:secret@host/x', { timeZone: 'Europe/Oslo' })).toThrow(/unsupported source ftp:\/\/…@host\/x/);
  });

  it('says when a drop folder has lost its incoming/ folder', async () => {
    const folder = folderWith({ 'incoming/members.csv': csv('members') });
    const source = openSource(folder, { timeZone: 'Europe/Oslo' });
    rmSync(join(folder, 'incoming'), { recursive: true });
    await expect(source.pull(openTestState())).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND', message: expect.stringContaining('has no incoming/ folder') });
  });
});
