// Logging in by password, by a private key file, or by the key itself from env (optionally encrypted
// with a passphrase); a refused login is SFTP_CONNECT_FAILED at once (retrying would only lock the
// account), and a key that cannot be used is a config error before any connection.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { resolveSftpAuth } from '../../src/sources/sftp-auth.ts';
import { sftpSettingsSchema } from '../../src/config/source-settings.ts';
import { csv, openBackend, openTestState, SFTP_USER } from './fixtures/drop-backends.ts';
import { generateKeys, startSftpServer } from './fixtures/sftp-server.ts';
import { openSource } from '../../src/sources/open-source.ts';
import { dropFolderSettingsSchema } from '../../src/config/source-settings.ts';

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'loyalty-sync-auth-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** A server accepting only `publicKey` for user `merchant`, serving a drop folder with one export. */
async function keyOnlyServer(publicKey: string) {
  const base = tempFolder();
  const server = await startSftpServer({ root: base, users: [{ username: 'merchant', publicKey }] });
  onTestFinished(() => server.close());
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(base, 'drop', 'incoming'), { recursive: true });
  writeFileSync(join(base, 'drop', 'incoming', 'members.csv'), csv('members'));
  writeFileSync(join(base, 'drop', 'incoming', '.done'), '');
  const open = (sftp: Record<string, unknown>) => {
    const settings = sftpSettingsSchema.parse({ hostKey: server.hostKeyFingerprint, retryBaseDelayMs: 1, ...sftp });
    const source = openSource(`sftp://merchant@127.0.0.1:${server.port}/drop`, { timeZone: 'Europe/Oslo', sftp: settings, dropFolder: dropFolderSettingsSchema.parse({}) }, { tempDir: base });
    onTestFinished(() => source.close());
    return source;
  };
  return { server, open };
}

describe('SFTP login', () => {
  it('logs in with a password', async () => {
    const backend = await openBackend('sftp');
    backend.put('members.csv', csv('members'));
    backend.put('.done', '');
    expect((await backend.source().pull(openTestState()))?.files).toHaveLength(1);
    expect(backend.server!.stats.acceptedMethods).toEqual(['password']);
  });

  it('logs in with a private key file', async () => {
    const keys = generateKeys();
    const keyFile = join(tempFolder(), 'id_ed25519');
    writeFileSync(keyFile, keys.private, { mode: 0o600 });
    const { server, open } = await keyOnlyServer(keys.public);
    expect((await open({ privateKeyPath: keyFile }).pull(openTestState()))?.files).toHaveLength(1);
    expect(server.stats.acceptedMethods).toEqual(['publickey']);
  });

  it('logs in with an encrypted key given inline (as from a Kubernetes Secret) and its passphrase', async () => {
    const keys = generateKeys({ passphrase: 'open sesame' });
    expect(keys.private).toContain('BEGIN OPENSSH PRIVATE KEY');
    const { server, open } = await keyOnlyServer(keys.public);
    expect((await open({ privateKey: keys.private, passphrase: 'open sesame' }).pull(openTestState()))?.files).toHaveLength(1);
    expect(server.stats.acceptedMethods).toEqual(['publickey']);
  });

  it('accepts an inline key whose line breaks were written as \\n', async () => {
    const keys = generateKeys();
    const { open } = await keyOnlyServer(keys.public);
    const oneLine = keys.private.trim().split('\n').join('\\n');
    expect(oneLine).not.toContain('\n');
    expect((await open({ privateKey: oneLine }).pull(openTestState()))?.files).toHaveLength(1);
  });

  it('fails at once with SFTP_CONNECT_FAILED when the server refuses the login', async () => {
    const backend = await openBackend('sftp');
    const error = await backend.source({ sftp: { password: 'wrong', attempts: 4 } }).pull(openTestState()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SFTP_CONNECT_FAILED' });
    expect((error as Error).message).toContain(`the server refused the login of user ${SFTP_USER.username} (tried password)`);
    expect(backend.server!.stats.connections).toBe(1);
  });

  it('fails when the server does not take the key', async () => {
    const { open } = await keyOnlyServer(generateKeys().public);
    await expect(open({ privateKey: generateKeys().private }).pull(openTestState())).rejects.toMatchObject({ code: 'SFTP_CONNECT_FAILED', message: expect.stringContaining('(tried public key)') });
  });
});

describe('SFTP credentials in the configuration', () => {
  it('is a config error to give no credentials at all', () => {
    expect(() => resolveSftpAuth(sftpSettingsSchema.parse({}))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('no SFTP credentials') }));
  });

  it('is a config error to give both a key file and an inline key', () => {
    const parsed = sftpSettingsSchema.safeParse({ privateKeyPath: '/keys/id', privateKey: 'KEY' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('not both');
  });

  it('is a config error when the key file cannot be read', () => {
    expect(() => resolveSftpAuth(sftpSettingsSchema.parse({ privateKeyPath: '/nonexistent/id_ed25519' }))).toThrow(/SFTP private key file \/nonexistent\/id_ed25519 cannot be read/);
  });

  it('is a config error when an encrypted key comes without its passphrase or with a wrong one, without showing the key', () => {
    const keys = generateKeys({ passphrase: 'right' });
    for (const settings of [{ privateKey: keys.private }, { privateKey: keys.private, passphrase: 'wrong' }]) {
      let message = '';
      try {
        resolveSftpAuth(sftpSettingsSchema.parse(settings));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^SFTP private key \(LOYALTY_SYNC_SFTP_PRIVATE_KEY\) cannot be used: .*(passphrase|decrypt|bad)/i);
      expect(message).not.toContain(keys.private.split('\n')[1]!);
    }
  });
});
