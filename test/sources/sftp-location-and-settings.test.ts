// `--source sftp://user@host[:port]/path`, the drop-folder settings and where the SFTP secrets come from.
import { describe, expect, it } from 'vitest';
import { dropFolderSettingsSchema, SFTP_SECRET_ENV, sftpSettingsSchema } from '../../src/config/source-settings.ts';
import { DROP_FOLDER_OPTIONS } from '../../src/config/options.ts';
import { mergeSecretsFromEnv } from '../../src/config/load.ts';
import { parseSftpLocation } from '../../src/sources/sftp-location.ts';
import { openSource } from '../../src/sources/open-source.ts';

describe('SFTP source URL', () => {
  it('reads user, host, port and an absolute root path', () => {
    expect(parseSftpLocation('sftp://loyalty@sftp.example.com:2222/srv/drop/')).toEqual({
      username: 'loyalty',
      host: 'sftp.example.com',
      port: 2222,
      root: '/srv/drop',
      description: 'sftp://loyalty@sftp.example.com:2222/srv/drop/',
    });
    expect(parseSftpLocation('sftp://loyalty@10.0.0.5')).toMatchObject({ port: 22, root: '/' });
    expect(parseSftpLocation('sftp://loyalty@[::1]:22/drop')).toMatchObject({ host: '::1', root: '/drop' });
  });

  it('takes /~/ as the login folder', () => {
    expect(parseSftpLocation('sftp://loyalty@h/~/drop').root).toBe('drop');
    expect(parseSftpLocation('sftp://loyalty@h/~').root).toBe('.');
  });

  it('decodes a percent-encoded user name', () => {
    expect(parseSftpLocation('sftp://shop%40chain@h/drop').username).toBe('shop@chain');
  });

  it('refuses a password in the URL without repeating it', () => {
    let message = '';
    try {
      parseSftpLocation('sftp://loyalty:hunter2@h/drop');
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      message = (error as Error).message;
    }
    expect(message).toContain('LOYALTY_SYNC_SFTP_PASSWORD');
    expect(message).not.toContain('hunter2');
  });

  it('refuses a URL without a user', () => {
    expect(() => parseSftpLocation('sftp://h/drop')).toThrow(/names no user/);
  });

  it('does not connect or need a reachable server to build the source, and describes it without secrets', () => {
    const source = openSource('sftp://loyalty@sftp.example.com/drop', { timeZone: 'Europe/Oslo', sftp: sftpSettingsSchema.parse({ password: 'hunter2' }) });
    expect(source.description).toBe('sftp://loyalty@sftp.example.com/drop');
  });
});

describe('drop folder settings', () => {
  it('has defaults for every setting', () => {
    expect(dropFolderSettingsSchema.parse({})).toEqual({ incoming: 'incoming', archive: 'archive', failed: 'failed', shards: 'shards', stableSeconds: 30 });
    expect(sftpSettingsSchema.parse({})).toEqual({ acceptAnyHostKey: false, connectTimeoutMs: 20_000, timeoutMs: 60_000, attempts: 4, retryBaseDelayMs: 1_000, retryMaxDelayMs: 30_000 });
  });

  it('takes values from env strings', () => {
    expect(dropFolderSettingsSchema.parse({ stableSeconds: '2.5' }).stableSeconds).toBe(2.5);
    expect(sftpSettingsSchema.parse({ acceptAnyHostKey: 'yes', attempts: '2' })).toMatchObject({ acceptAnyHostKey: true, attempts: 2 });
  });

  it('refuses folder names that are paths, dotted, or the same twice', () => {
    expect(dropFolderSettingsSchema.safeParse({ archive: 'a/b' }).success).toBe(false);
    expect(dropFolderSettingsSchema.safeParse({ failed: '..' }).success).toBe(false);
    expect(dropFolderSettingsSchema.safeParse({ archive: 'incoming' }).success).toBe(false);
    expect(dropFolderSettingsSchema.safeParse({ shards: 'archive' }).success).toBe(false);
  });

  it('maps the non-secret settings to LOYALTY_SYNC_… env names and keeps secrets off the command line', () => {
    const env = (flag: string) => `LOYALTY_SYNC_${flag.toUpperCase().replace(/-/g, '_')}`;
    const names = DROP_FOLDER_OPTIONS.map((spec) => env(spec.flag));
    expect(names).toContain('LOYALTY_SYNC_SFTP_PRIVATE_KEY_PATH');
    expect(names).toContain('LOYALTY_SYNC_SFTP_HOST_KEY');
    expect(names.filter((name) => /PASSWORD|PASSPHRASE|PRIVATE_KEY$/.test(name))).toEqual([]);
  });

  it('takes the secrets from env over the config file', () => {
    const merged: Record<string, unknown> = { sftp: { password: 'from file', hostKey: 'SHA256:x' } };
    mergeSecretsFromEnv(merged, 'sftp', SFTP_SECRET_ENV, { LOYALTY_SYNC_SFTP_PASSWORD: 'from env', LOYALTY_SYNC_SFTP_PRIVATE_KEY: 'KEY', LOYALTY_SYNC_SFTP_PASSPHRASE: 'pp' });
    expect(merged).toEqual({ sftp: { password: 'from env', hostKey: 'SHA256:x', privateKey: 'KEY', passphrase: 'pp' } });
    const untouched: Record<string, unknown> = {};
    mergeSecretsFromEnv(untouched, 'sftp', SFTP_SECRET_ENV, {});
    expect(untouched).toEqual({});
  });
});
