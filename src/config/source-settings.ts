// Settings of the export's source: the file-name globs of each kind, drop folders (local and SFTP) and
// the SFTP connection. Parsed once at the edge with the rest of the configuration; defaults live here and
// nowhere else.
//
// Secrets (the private key itself, its passphrase, the password) come only from env or the config file,
// never from flags: a flag shows in `ps` and in shell history.
import { z } from 'zod';
import { EXPORT_KINDS } from '../base/kinds.ts';
import { flag, int } from './option-values.ts';

const glob = z
  .string()
  .min(1)
  .regex(/^[^/\\]+$/, 'expected a file-name glob like "medlemmer*.csv" (no folders)');

/** Config `files`: the glob of each kind's file name. Defaults live here and nowhere else. */
export const fileGlobsSchema = z
  .strictObject({
    members: glob.default('members*.csv'),
    coupons: glob.default('coupons*.csv'),
    stampCards: glob.default('stamp_cards*.csv'),
    bonusChecks: glob.default('bonus_checks*.csv'),
  })
  .refine((globs) => new Set(EXPORT_KINDS.map((kind) => globs[kind].toLowerCase())).size === EXPORT_KINDS.length, {
    message: 'two kinds have the same glob; each kind needs its own file names',
  });
export type FileGlobs = z.infer<typeof fileGlobsSchema>;

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
    /**
     * Sharded runs (`--shard i/N`) record here, per export, which shard is reading it and how each one
     * ended; the last shard to finish puts the export away (src/sources/drop/shard-settle.ts).
     */
    shards: folderName.default('shards'),
    /** Without a .done marker or a manifest, an export is complete once its files keep size and mtime this long. */
    stableSeconds: z.coerce.number().min(0).max(3600).default(30),
  })
  .refine((value) => new Set([value.incoming, value.archive, value.failed, value.shards]).size === 4, { message: 'incoming, archive, failed and shards must be four different folders' });

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

export interface HostKeyPin {
  /** `SHA256:…` without padding. */
  fingerprint: string;
  /** The key type ssh-keygen prints in parentheses (`ED25519`, `ECDSA`, `RSA`, …), when given. */
  keyType?: string;
  bits?: number;
}

const FINGERPRINT = /SHA256:([A-Za-z0-9+/]{43})=?(?![A-Za-z0-9+/=])/g;

/**
 * Pins from a setting: one per line (the output of `ssh-keygen -lf`, also for several keys, e.g.
 * `ssh-keyscan host | ssh-keygen -lf -`), or several bare fingerprints separated by commas.
 * Returns an error message when the text holds no usable pin.
 */
export function parseHostKeyPins(text: string): HostKeyPin[] | string {
  const pins: HostKeyPin[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const found = [...line.matchAll(FINGERPRINT)].map((match) => `SHA256:${match[1]}`);
    if (found.length === 0) {
      const hint = /^MD5:|^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(line) ? ' (that is an MD5 fingerprint: use `ssh-keygen -lf <key>.pub -E sha256`)' : '';
      return `expected a SHA256:… fingerprint as \`ssh-keygen -lf\` prints it, got "${line}"${hint}`;
    }
    if (found.length > 1) {
      pins.push(...found.map((fingerprint) => ({ fingerprint })));
      continue;
    }
    const bits = /^(\d+)\s/.exec(line)?.[1];
    const keyType = /\(([A-Za-z0-9-]+)\)\s*$/.exec(line)?.[1]?.toUpperCase();
    pins.push({ fingerprint: found[0]!, ...(keyType && { keyType }), ...(bits && { bits: Number(bits) }) });
  }
  return pins.length > 0 ? pins : 'expected a SHA256:… fingerprint as `ssh-keygen -lf` prints it, got an empty value';
}

/** Secrets: only from env or the config file's "sftp" object. */
export const SFTP_SECRET_ENV = {
  privateKey: 'LOYALTY_SYNC_SFTP_PRIVATE_KEY',
  passphrase: 'LOYALTY_SYNC_SFTP_PASSPHRASE',
  password: 'LOYALTY_SYNC_SFTP_PASSWORD',
} as const;
