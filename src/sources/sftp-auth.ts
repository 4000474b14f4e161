// How the job logs in to an SFTP drop folder: the key (read from its file here, and checked, so that a bad
// key is a configuration error, exit 2) and/or the password. The settings themselves are parsed with the
// rest of the configuration (src/config/source-settings.ts). Secrets never reach a log line: the logger
// redacts `privateKey`, `passphrase` and `password`, and every output removes them by value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type ssh2Type from 'ssh2';
import { ConfigError } from '../errors.ts';
import { registerPrivateKey } from '../privacy/secret-values.ts';
import { SFTP_SECRET_ENV, type SftpSettings } from '../config/source-settings.ts';

export interface SftpAuth {
  privateKey?: string;
  passphrase?: string;
  password?: string;
}

export function resolveSftpAuth(settings: SftpSettings): SftpAuth {
  let privateKey = settings.privateKey;
  let keyOrigin: string = SFTP_SECRET_ENV.privateKey;
  if (settings.privateKeyPath) {
    keyOrigin = `LOYALTY_SYNC_SFTP_PRIVATE_KEY_PATH=${settings.privateKeyPath}`;
    try {
      privateKey = readFileSync(settings.privateKeyPath, 'utf8');
      registerPrivateKey(privateKey);
    } catch (error) {
      throw new ConfigError(`SFTP private key file ${settings.privateKeyPath} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!privateKey && !settings.password) {
    throw new ConfigError(
      `no SFTP credentials: set LOYALTY_SYNC_SFTP_PRIVATE_KEY_PATH, LOYALTY_SYNC_SFTP_PRIVATE_KEY (with LOYALTY_SYNC_SFTP_PASSPHRASE if it is encrypted) or LOYALTY_SYNC_SFTP_PASSWORD`,
    );
  }
  if (privateKey) {
    // ssh2's own parser: messages name the problem (format, missing passphrase), never the key material.
    const ssh2 = createRequire(import.meta.url)('ssh2') as typeof ssh2Type; // loaded only when a key is used
    const parsed = ssh2.utils.parseKey(privateKey, settings.passphrase);
    const problem = parsed instanceof Error ? parsed : Array.isArray(parsed) && parsed.length === 0 ? new Error('no key found') : undefined;
    if (problem) throw new ConfigError(`SFTP private key (${keyOrigin}) cannot be used: ${problem.message}`);
  }
  return {
    ...(privateKey && { privateKey }),
    ...(privateKey && settings.passphrase && { passphrase: settings.passphrase }),
    ...(settings.password && { password: settings.password }),
  };
}
