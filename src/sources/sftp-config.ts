// Settings of drop folders (local and SFTP) and of the SFTP connection, parsed once at the edge with the
// rest of the configuration (src/config/). Defaults live here and nowhere else.
//
// Secrets (the private key itself, its passphrase, the password) come only from env or the config file,
// never from flags: a flag shows in `ps` and in shell history. They are never logged: the logger redacts
// `privateKey`, `passphrase` and `password`, nothing here puts them into a message, and every output
// removes them by value (src/privacy/; a key read from its file is registered here).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type ssh2Type from 'ssh2';
import { z } from 'zod';
import type { OptionSpec } from '../config/load.ts';
import { ConfigError } from '../errors.ts';
import { registerPrivateKey } from '../privacy/secret-values.ts';
import { parseHostKeyPins, type HostKeyPin } from './host-key.ts';

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const folderName = z
  .string()
  .min(1)
  .regex(/^[^/\\]+$/, 'expected a folder name (no slashes)')
  .refine((name) => name !== '.' && name !== '..' && !name.startsWith('.'), 'expected a folder name that does not start with a dot');

export const dropFolderSettingsSchema = z
  .strictObject({
    /** Where the merchant drops files. A local --source folder with this subfolder is a drop folder. */
    incoming: folderName.default('incoming'),
    /** Processed exports go to `<archive>/<YYYY-MM-DD>/`. */
    archive: folderName.default('archive'),
    /** Refused or failed exports go here, each data file with a `<name>.error.txt`. */
    failed: folderName.default('failed'),
    /** Without a .done marker or a manifest, an export is complete once its files keep size and mtime this long. */
    stableSeconds: z.coerce.number().min(0).max(3600).default(30),
  })
  .refine((value) => new Set([value.incoming, value.archive, value.failed]).size === 3, { message: 'incoming, archive and failed must be three different folders' });

const hostKey = z.string().transform((text, context): HostKeyPin[] => {
  const pins = parseHostKeyPins(text);
  if (typeof pins === 'string') {
    context.addIssue({ code: 'custom', message: pins });
    return z.NEVER;
  }
  return pins;
});

export const sftpSettingsSchema = z
  .strictObject({
    /** A private key file (OpenSSH or PEM). */
    privateKeyPath: z.string().min(1).optional(),
    /** The private key itself (e.g. from a Kubernetes Secret); `\n` escapes are accepted for one-line values. */
    privateKey: z
      .string()
      .min(1)
      .transform((key) => (!key.includes('\n') && key.includes('\\n') ? key.replaceAll('\\n', '\n') : key))
      .optional(),
    passphrase: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Pinned host key fingerprint(s): `SHA256:…` as `ssh-keygen -lf` prints it. */
    hostKey: hostKey.optional(),
    /** Explicit opt-out of host key pinning: any host key is accepted (and logged). */
    acceptAnyHostKey: flag.default(false),
    /** TCP connect + SSH handshake + authentication. */
    connectTimeoutMs: int(100, 600_000).default(20_000),
    /** An operation, or a download that has made no progress, is abandoned after this long and retried. */
    timeoutMs: int(100, 3_600_000).default(60_000),
    /** Attempts per connection and per operation (a dropped connection is re-opened) before giving up. */
    attempts: int(1, 20).default(4),
    retryBaseDelayMs: int(0, 60_000).default(1_000),
    retryMaxDelayMs: int(0, 600_000).default(30_000),
  })
  .refine((value) => !(value.privateKeyPath && value.privateKey), {
    message: 'set either a private key file (LOYALTY_SYNC_SFTP_PRIVATE_KEY_PATH) or the key itself (LOYALTY_SYNC_SFTP_PRIVATE_KEY), not both',
    path: ['privateKey'],
  });

export type DropFolderSettings = z.infer<typeof dropFolderSettingsSchema>;
export type SftpSettings = z.infer<typeof sftpSettingsSchema>;

/** Flags (and their LOYALTY_SYNC_… env vars) for the non-secret settings; keys are paths in the run config. */
export const DROP_FOLDER_OPTIONS: readonly OptionSpec[] = [
  { key: 'sftp.privateKeyPath', flag: 'sftp-private-key-path', type: 'string', help: 'SFTP: private key file (OpenSSH or PEM format)' },
  { key: 'sftp.hostKey', flag: 'sftp-host-key', type: 'string', help: "SFTP: the server's host key, SHA256:… as `ssh-keygen -lf` prints it (required unless --sftp-accept-any-host-key)" },
  { key: 'sftp.acceptAnyHostKey', flag: 'sftp-accept-any-host-key', type: 'boolean', help: 'SFTP: do not check the host key (insecure: anyone in the middle can pose as the server)' },
  { key: 'sftp.connectTimeoutMs', flag: 'sftp-connect-timeout-ms', type: 'string', help: 'SFTP: connect + handshake + login timeout (default 20000)' },
  { key: 'sftp.timeoutMs', flag: 'sftp-timeout-ms', type: 'string', help: 'SFTP: an operation or a stalled download is retried after this long (default 60000)' },
  { key: 'sftp.attempts', flag: 'sftp-attempts', type: 'string', help: 'SFTP: attempts to connect and per operation (default 4)' },
  { key: 'sftp.retryBaseDelayMs', flag: 'sftp-retry-base-delay-ms', type: 'string', help: 'SFTP: first reconnect backoff ceiling (default 1000)' },
  { key: 'sftp.retryMaxDelayMs', flag: 'sftp-retry-max-delay-ms', type: 'string', help: 'SFTP: largest reconnect backoff ceiling (default 30000)' },
  { key: 'dropFolder.incoming', flag: 'drop-incoming', type: 'string', help: 'drop folder: where exports are dropped (default incoming)' },
  { key: 'dropFolder.archive', flag: 'drop-archive', type: 'string', help: 'drop folder: where processed exports go, by date (default archive)' },
  { key: 'dropFolder.failed', flag: 'drop-failed', type: 'string', help: 'drop folder: where refused or failed exports go (default failed)' },
  { key: 'dropFolder.stableSeconds', flag: 'drop-stable-seconds', type: 'string', help: 'drop folder: without .done or manifest, wait for sizes to hold still this long (default 30)' },
];

/** Secrets: only from env or the config file's "sftp" object. */
export const SFTP_SECRET_ENV = {
  privateKey: 'LOYALTY_SYNC_SFTP_PRIVATE_KEY',
  passphrase: 'LOYALTY_SYNC_SFTP_PASSPHRASE',
  password: 'LOYALTY_SYNC_SFTP_PASSWORD',
} as const;

/** Copies the SFTP secrets from env into the merged config (env beats the file), like the API credentials. */
export function mergeSftpSecrets(merged: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const fromFile = (typeof merged.sftp === 'object' && merged.sftp !== null ? merged.sftp : {}) as Record<string, unknown>;
  const sftp: Record<string, unknown> = { ...fromFile };
  for (const [key, name] of Object.entries(SFTP_SECRET_ENV)) if (env[name]) sftp[key] = env[name];
  if (Object.keys(sftp).length > 0) merged.sftp = sftp;
}

/** How the job logs in: a key (read and checked here, so a bad key is a config error, exit 2) and/or a password. */
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
