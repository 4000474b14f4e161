// The server's host key must match the pinned SHA256 fingerprint (as `ssh-keygen -lf` prints it) before
// anything else is sent; an unknown or changed key is refused with SFTP_HOST_KEY_MISMATCH, never retried,
// unless the user explicitly opted out.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it, onTestFinished } from 'vitest';
import { needs, SSH_KEYGEN } from '../fixtures/system-programs.ts';
import { fingerprintOf, hostKeyAlgorithmsFor } from '../../src/sources/host-key.ts';
import { parseHostKeyPins } from '../../src/config/source-settings.ts';
import { sftpSettingsSchema } from '../../src/config/source-settings.ts';
import { csv, openBackend, openTestState } from './fixtures/drop-backends.ts';
import { fingerprintOfPublicKey, generateKeys } from './fixtures/sftp-server.ts';

const OTHER = 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU';

describe('host key pins', () => {
  describe('against ssh-keygen', () => {
    needs(SSH_KEYGEN);
    it('computes fingerprints exactly as ssh-keygen -lf prints them', () => {
      const folder = mkdtempSync(join(tmpdir(), 'loyalty-sync-keygen-'));
      onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
      execFileSync(SSH_KEYGEN.path!, ['-q', '-t', 'ed25519', '-N', '', '-C', 'test host', '-f', join(folder, 'key')]);
      const line = execFileSync(SSH_KEYGEN.path!, ['-lf', join(folder, 'key.pub')], { encoding: 'utf8' }).trim();
      const key = ssh2.utils.parseKey(readFileSync(join(folder, 'key.pub'), 'utf8'));
      if (key instanceof Error || Array.isArray(key)) throw new Error('unexpected key');
      expect(line).toMatch(/^256 SHA256:\S+ test host \(ED25519\)$/);
      expect(line.split(' ')[1]).toBe(fingerprintOf(key.getPublicSSH()));
      expect(parseHostKeyPins(line)).toEqual([{ fingerprint: fingerprintOf(key.getPublicSSH()), keyType: 'ED25519', bits: 256 }]);
    });
  });

  it('accepts bare fingerprints, several separated by commas or lines, and reads the key type of full lines', () => {
    expect(parseHostKeyPins(OTHER)).toEqual([{ fingerprint: OTHER }]);
    expect(parseHostKeyPins(`${OTHER}, SHA256:${'B'.repeat(43)}`)).toEqual([{ fingerprint: OTHER }, { fingerprint: `SHA256:${'B'.repeat(43)}` }]);
    const scanned = `256 ${OTHER} sftp.example.com (ECDSA)\n3072 SHA256:${'C'.repeat(43)} sftp.example.com (RSA)\n`;
    const pins = parseHostKeyPins(scanned);
    expect(pins).toEqual([
      { fingerprint: OTHER, keyType: 'ECDSA', bits: 256 },
      { fingerprint: `SHA256:${'C'.repeat(43)}`, keyType: 'RSA', bits: 3072 },
    ]);
    expect(hostKeyAlgorithmsFor(pins as never)).toEqual(['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithmsFor([{ fingerprint: OTHER }])).toBeUndefined();
  });

  it('rejects settings that are not SHA256 fingerprints, with a hint for MD5 ones', () => {
    const md5 = sftpSettingsSchema.safeParse({ hostKey: 'MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' });
    expect(md5.success).toBe(false);
    expect(md5.error?.issues[0]?.message).toContain('use `ssh-keygen -lf <key>.pub -E sha256`');
    expect(sftpSettingsSchema.safeParse({ hostKey: 'SHA256:tooshort' }).success).toBe(false);
    expect(sftpSettingsSchema.safeParse({ hostKey: '' }).success).toBe(false);
  });
});

describe('host key checks against an SFTP server', () => {
  async function backendWithExport(options: Parameters<typeof openBackend>[1] = {}) {
    const backend = await openBackend('sftp', options);
    backend.put('members-2026-11-24.csv', csv('members'));
    backend.put('2026-11-24.done', '');
    return backend;
  }

  it('refuses a server whose key does not match the pin, before logging in, without retrying', async () => {
    const backend = await backendWithExport();
    const server = backend.server!;
    const error = await backend.source({ sftp: { hostKey: OTHER } }).pull(openTestState()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SFTP_HOST_KEY_MISMATCH' });
    expect((error as Error).message).toContain(`presented a ssh-ed25519 key ${server.hostKeyFingerprint}, but the pinned key is ${OTHER}`);
    expect(server.stats).toMatchObject({ connections: 1, authAttempts: 0, logins: 0 });
    expect(backend.names('incoming')).toEqual(['2026-11-24.done', 'members-2026-11-24.csv']);
  });

  it('refuses an unpinned server and names the fingerprint to verify and pin', async () => {
    const backend = await backendWithExport();
    const server = backend.server!;
    const source = backend.source({ sftp: { hostKey: undefined } });
    await expect(source.pull(openTestState())).rejects.toMatchObject({
      code: 'SFTP_HOST_KEY_MISMATCH',
      message: expect.stringContaining(`host key is not pinned; it presented a ssh-ed25519 key ${server.hostKeyFingerprint}`),
    });
    expect(server.stats.authAttempts).toBe(0);
  });

  it('accepts any key when explicitly told to, and logs the key it accepted', async () => {
    const backend = await backendWithExport();
    const state = openTestState();
    const pulled = await backend.source({ sftp: { hostKey: undefined, acceptAnyHostKey: true } }).pull(state);
    expect(pulled?.id).toBe('2026-11-24');
    const warning = state.logs.find((line) => line.includes('host key NOT checked'));
    expect(warning).toContain(backend.server!.hostKeyFingerprint);
  });

  it('asks a server with several host keys for the pinned type when the pin is a whole ssh-keygen line', async () => {
    const ecdsa = generateKeys({ type: 'ecdsa' });
    const backend = await backendWithExport({ hostKeys: [generateKeys(), ecdsa] });
    const ecdsaPin = fingerprintOfPublicKey(ecdsa.public);
    // A bare pin of the ECDSA key: ssh2 prefers ed25519, so the server shows another key → refused.
    await expect(backend.source({ sftp: { hostKey: ecdsaPin } }).pull(openTestState())).rejects.toMatchObject({ code: 'SFTP_HOST_KEY_MISMATCH' });
    // The line as ssh-keygen prints it names the type: the ECDSA key is asked for and matches.
    const pulled = await backend.source({ sftp: { hostKey: `256 ${ecdsaPin} root@sftp (ECDSA)` } }).pull(openTestState());
    expect(pulled?.id).toBe('2026-11-24');
  });

  it('fails at once with SFTP_CONNECT_FAILED when the server has no key of the pinned type', async () => {
    const backend = await backendWithExport();
    await expect(backend.source({ sftp: { hostKey: `256 ${OTHER} x (ECDSA)` } }).pull(openTestState())).rejects.toMatchObject({
      code: 'SFTP_CONNECT_FAILED',
      message: expect.stringContaining('SSH handshake failed: Handshake failed: no matching host key format (host key algorithms asked for, from the pinned key type: ecdsa-sha2-nistp256)'),
    });
    expect(backend.server!.stats.connections).toBe(1);
  });
});
