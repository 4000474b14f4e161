// When an export in incoming/ counts as complete: a .done marker, a manifest, or sizes that hold still
// across two listings; and temporary names are never read. Same rules for a local folder and SFTP.
import { appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS, csv, openBackend, openTestState } from './fixtures/drop-backends.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(BACKENDS)('completeness in a %s drop folder', (kind) => {
  it('takes an export marked by <key>.done and reads exactly its files', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members', 3));
    backend.put('coupons-2026-11-24.csv', csv('coupons', 2));
    backend.put('2026-11-24.done', '');
    const pulled = await backend.source().pull(openTestState());
    expect(pulled?.id).toBe('2026-11-24');
    expect(pulled?.files.map((file) => [file.kind, file.name]).sort()).toEqual([
      ['coupons', 'coupons-2026-11-24.csv'],
      ['members', 'members-2026-11-24.csv'],
    ]);
    const members = pulled!.files.find((file) => file.kind === 'members')!;
    expect(members.path.startsWith(backend.root)).toBe(false); // a verified local copy, not the dropped file
    expect(await readText(members.path)).toBe(csv('members', 3));
    expect(pulled?.asOfFrom).toBe('file name');
    expect(pulled?.asOf.toISOString()).toBe('2026-11-23T23:00:00.000Z'); // midnight in Europe/Oslo
  });

  it('takes files without a key when the plain .done is there', async () => {
    const backend = await openBackend(kind);
    backend.put('members.csv', csv('members'));
    backend.put('.done', '');
    const pulled = await backend.source().pull(openTestState());
    expect(pulled?.files.map((file) => file.name)).toEqual(['members.csv']);
  });

  it('takes a manifest-described export only when every listed file has its listed size', async () => {
    const backend = await openBackend(kind);
    const members = csv('members', 4);
    backend.put('members-2026-11-24.csv', members.slice(0, 20)); // upload still going on
    backend.put('2026-11-24.manifest.json', JSON.stringify({ files: [{ name: 'members-2026-11-24.csv', size: Buffer.byteLength(members), sha256: sha256(members) }] }));
    const state = openTestState();
    const source = backend.source();
    expect(await source.pull(state)).toBeUndefined();
    expect(state.logs.join('')).toMatch(/members-2026-11-24.csv has 20 bytes, 2026-11-24.manifest.json says \d+/);

    backend.put('members-2026-11-24.csv', members);
    const pulled = await source.pull(state);
    expect(pulled?.files.map((file) => file.name)).toEqual(['members-2026-11-24.csv']);
  });

  it('waits for a file the manifest lists but that is not there yet, and ignores files it does not list', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.manifest.json', JSON.stringify({ asOf: '2026-11-24T03:15:00+01:00', files: [{ name: 'members-2026-11-24.csv', size: Buffer.byteLength(csv('members')) }, { name: 'coupons-2026-11-24.csv', size: 10 }] }));
    expect(await backend.source().pull(openTestState())).toBeUndefined();

    backend.put('2026-11-24.manifest.json', JSON.stringify({ asOf: '2026-11-24T03:15:00+01:00', files: [{ name: 'members-2026-11-24.csv', size: Buffer.byteLength(csv('members')) }] }));
    backend.put('coupons-2026-11-24.csv', csv('coupons'));
    const pulled = await backend.source().pull(openTestState());
    expect(pulled?.files.map((file) => file.name)).toEqual(['members-2026-11-24.csv']);
    expect(pulled?.asOfFrom).toBe('manifest');
    expect(pulled?.asOf.toISOString()).toBe('2026-11-24T02:15:00.000Z');
  });

  it('refuses a file whose content does not match the sha256 in the manifest, and leaves it in incoming/', async () => {
    const backend = await openBackend(kind);
    const members = csv('members', 2);
    backend.put('members-2026-11-24.csv', members.replace('M-1', 'M-9'));
    backend.put('2026-11-24.manifest.json', JSON.stringify({ files: [{ name: 'members-2026-11-24.csv', size: Buffer.byteLength(members), sha256: sha256(members) }] }));
    await expect(backend.source().pull(openTestState())).rejects.toMatchObject({ code: 'SFTP_PARTIAL_FILE', message: expect.stringMatching(/sha256 is [0-9a-f]{64}, the manifest says/) });
    expect(backend.names('incoming')).toEqual(['2026-11-24.manifest.json', 'members-2026-11-24.csv']);
    expect(backend.names('failed')).toEqual([]);
  });

  it('does not take an export behind a manifest that cannot be parsed, and says why', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.manifest.json', '{"files": [');
    const state = openTestState();
    expect(await backend.source().pull(state)).toBeUndefined();
    expect(state.logs.join('')).toContain('2026-11-24.manifest.json cannot be used: not valid JSON');
  });

  it('without a marker, takes files whose size and mtime hold still between two listings', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    const waits: number[] = [];
    const pulled = await backend.source({ settings: { stableSeconds: 7 }, sleep: async (ms) => void waits.push(ms) }).pull(openTestState());
    expect(waits).toEqual([7000]);
    expect(pulled?.files.map((file) => file.name)).toEqual(['members-2026-11-24.csv']);
  });

  it('without a marker, leaves a file that grows between the two listings', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    const growing = join(backend.root, 'incoming', 'members-2026-11-24.csv');
    const state = openTestState();
    const source = backend.source({ sleep: async () => appendFileSync(growing, 'M-2,+4791000002\n') });
    expect(await source.pull(state)).toBeUndefined();
    expect(state.logs.join('')).toContain('still changing (members-2026-11-24.csv)');
    expect(backend.names('incoming')).toEqual(['members-2026-11-24.csv']);
  });

  it('takes a file that changed after it was listed as not readable yet: SFTP_PARTIAL_FILE, and it stays in incoming/', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members', 3));
    backend.put('2026-11-24.done', '');
    backend.put('members-2026-11-20.csv', csv('members')); // unmarked: makes the job list twice
    const marked = join(backend.root, 'incoming', 'members-2026-11-24.csv');
    const source = backend.source({ sleep: async () => appendFileSync(marked, 'M-9,+4791000009\n') });
    await expect(source.pull(openTestState())).rejects.toMatchObject({
      code: 'SFTP_PARTIAL_FILE',
      message: expect.stringMatching(/incoming\/members-2026-11-24.csv: read \d+ bytes, the listing said \d+: it changed while it was read/),
    });
    expect(backend.names('incoming')).toEqual(['2026-11-24.done', 'members-2026-11-20.csv', 'members-2026-11-24.csv']);
  });

  it('does not wait between listings when every export is marked', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.done', '');
    let waited = false;
    await backend.source({ sleep: async () => void (waited = true) }).pull(openTestState());
    expect(waited).toBe(false);
  });

  it('never reads temporary names, and an upload in progress keeps its export from looking stable', async () => {
    const backend = await openBackend(kind);
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('coupons-2026-11-24.csv.part', 'contact_id,coupon_id,ti');
    backend.put('members-2026-11-25.csv.filepart', 'contact_id,phone');
    backend.put('members-2026-11-26.csv.tmp', 'contact_id,phone');
    backend.put('.stamp_cards-2026-11-24.csv.Xy12Ab', 'contact_id,stamp'); // rsync-style temporary name
    const state = openTestState();
    expect(await backend.source().pull(state)).toBeUndefined();
    expect(state.logs.join('')).toContain('still being uploaded (.stamp_cards-2026-11-24.csv.Xy12Ab, coupons-2026-11-24.csv.part)');

    // Once the upload is renamed into place, the export is taken; the other temporary names never are.
    backend.put('coupons-2026-11-24.csv', csv('coupons'));
    const { rmSync } = await import('node:fs');
    rmSync(join(backend.root, 'incoming', 'coupons-2026-11-24.csv.part'));
    rmSync(join(backend.root, 'incoming', '.stamp_cards-2026-11-24.csv.Xy12Ab'));
    const pulled = await backend.source().pull(state);
    expect(pulled?.files.map((file) => file.name).sort()).toEqual(['coupons-2026-11-24.csv', 'members-2026-11-24.csv']);
    if (backend.server) {
      const opened = [...backend.server.stats.opens.keys()];
      expect(opened.filter((path) => /\.(part|filepart|tmp)$|\/\./.test(path))).toEqual([]);
    }
  });
});

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}
