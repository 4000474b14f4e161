// A drop folder on an SFTP server (ssh2-sftp-client over ssh2).
//
// - The host key is checked before anything else is sent (credentials included): it must match a pinned
//   SHA256 fingerprint, unless the user opted out. An unknown or changed key is SFTP_HOST_KEY_MISMATCH and
//   is never retried; neither is a failed login.
// - Every operation runs on a connection that is re-opened when it drops: a lost connection, a timeout
//   or a stalled download is retried on a new connection with exponential backoff and full jitter, up to
//   `attempts` times. A download restarts from the first byte into a fresh local file (see copyHashed),
//   so a dropped connection never yields a partial file.
// - Errors the server reports on a live connection (no such file, permission denied) are not retried.
import { posix } from 'node:path';
import type { Client as SshClient, ConnectConfig } from 'ssh2';
import { createRequire } from 'node:module';
import type SftpClientType from 'ssh2-sftp-client';
import { SourceError, SyncError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { DropEntry, DropSession, DropStorage } from './storage.ts';
import { fingerprintOf, hostKeyAlgorithmsFor, keyTypeOf } from '../host-key.ts';
import { copyHashed } from './local-storage.ts';
import type { SftpAuth } from '../sftp-auth.ts';
import type { SftpSettings } from '../../config/source-settings.ts';
import type { SftpLocation } from '../sftp-location.ts';

export interface SftpStorageDeps {
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
}

interface Connection {
  client: SftpClientType;
  ssh: SshClient;
  /** The drop folder's root as an absolute path on the server. */
  root: string;
  alive: boolean;
}

/** An operation made no progress for `timeoutMs`: the connection is treated as lost. */
class SftpTimeout extends Error {
  override readonly name = 'SftpTimeout';
}

// ssh2 and ssh2-sftp-client report a lost connection in several ways, not all with a code; these are
// the ones seen in their sources (lib/protocol/SFTP.js cleanupRequests, src/utils.js listeners).
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_NOT_CONNECTED', 'ERR_GENERIC_CLIENT']);
const CONNECTION_LOST_MESSAGE = /No response from server|Unexpected (end|close)|No SFTP connection|not connected|write after end|not writable|socket hang up|closed/i;

const NO_SUCH_FILE = 2;
// O_CREAT|O_EXCL: ssh2 passes the flags string through; the library's types list only 'w' and 'a'.
const EXCLUSIVE_WRITE = 'wx' as 'w';

export function sftpDropStorage(location: SftpLocation, settings: SftpSettings, auth: SftpAuth, deps: SftpStorageDeps = {}): DropStorage {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const pins = settings.hostKey ?? [];
  const hostKeyAlgorithms = hostKeyAlgorithmsFor(pins);
  const where = location.description;

  const connectOnce = async (logger: Logger): Promise<Connection> => {
    // Loaded on first use: ssh2 weighs ~20 MB of memory that runs from local folders never need.
    const SftpClient = createRequire(import.meta.url)('ssh2-sftp-client') as typeof SftpClientType;
    const client = new SftpClient('loyalty-sync', {
      // The library's defaults print to the console; a dropped connection is handled by the retries.
      error: (error) => logger.debug({ error: (error as Error).message }, 'SFTP connection error'),
      end: () => {},
      close: () => {},
    });
    const ssh = (client as unknown as { client: SshClient }).client;
    const connection: Connection = { client, ssh, root: '', alive: true };
    let presented: { fingerprint: string; type: string } | undefined;
    let hostKeyRefused = false;
    // The first error ssh2 itself raised: ssh2-sftp-client re-wraps it without its `level`.
    let raw: (Error & { level?: string }) | undefined;
    client.on('error', (error: Error & { level?: string }) => {
      raw ??= error;
    });
    client.on('close', () => (connection.alive = false));
    client.on('end', () => (connection.alive = false));
    if (auth.password) {
      // Servers that take passwords only through keyboard-interactive ask for it as a prompt.
      client.on('keyboard-interactive', (_name: string, _instructions: string, _lang: string, prompts: unknown[], finish: (answers: string[]) => void) =>
        finish(prompts.map(() => auth.password!)),
      );
    }
    const config: ConnectConfig = {
      host: location.host,
      port: location.port,
      username: location.username,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: Math.min(15_000, settings.timeoutMs),
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        presented = { fingerprint: fingerprintOf(key), type: keyTypeOf(key) };
        hostKeyRefused = !settings.acceptAnyHostKey && !pins.some((pin) => pin.fingerprint === presented!.fingerprint);
        return !hostKeyRefused;
      },
      ...(auth.privateKey && { privateKey: auth.privateKey }),
      ...(auth.passphrase && { passphrase: auth.passphrase }),
      ...(auth.password && { password: auth.password, tryKeyboard: true }),
      ...(hostKeyAlgorithms && { algorithms: { serverHostKey: hostKeyAlgorithms } }),
    };
    try {
      const connecting = client.connect(config);
      // SFTP is small requests answered one by one: with Nagle's algorithm on, each round trip can wait
      // for a delayed ACK (~40 ms). The socket exists once connect() has been called.
      ssh.setNoDelay(true);
      const channel = await deadline(connecting, settings.connectTimeoutMs + 1_000, `connecting to ${location.host}:${location.port}`, () => ssh.destroy());
      channel.on('close', () => (connection.alive = false));
      connection.root = location.root.startsWith('/') ? location.root : posix.join(await deadline(client.realPath('.'), settings.timeoutMs, 'resolving the login folder', () => ssh.destroy()), location.root);
    } catch (error) {
      connection.alive = false;
      ssh.destroy();
      if (hostKeyRefused && presented) throw hostKeyError(presented);
      if (raw?.level === 'client-authentication') {
        const methods = [auth.privateKey && 'public key', auth.password && 'password'].filter(Boolean).join(' and ');
        throw new SourceError('SFTP_CONNECT_FAILED', `${where}: the server refused the login of user ${location.username} (tried ${methods}); check the key or password`, { cause: error });
      }
      if (raw?.level === 'handshake') {
        // No common algorithm (e.g. the pinned key type is not one the server has): trying again will not help.
        const hint = hostKeyAlgorithms ? ` (host key algorithms asked for, from the pinned key type: ${hostKeyAlgorithms.join(', ')})` : '';
        throw new SourceError('SFTP_CONNECT_FAILED', `${where}: SSH handshake failed: ${raw.message}${hint}`, { cause: error });
      }
      throw error;
    }
    if (settings.acceptAnyHostKey && presented) {
      logger.warn({ hostKey: presented.fingerprint, keyType: presented.type }, 'SFTP host key NOT checked (acceptAnyHostKey); pin it with LOYALTY_SYNC_SFTP_HOST_KEY');
    }
    return connection;
  };

  const hostKeyError = (presented: { fingerprint: string; type: string }): SourceError => {
    if (pins.length === 0) {
      return new SourceError(
        'SFTP_HOST_KEY_MISMATCH',
        `${where}: the server's host key is not pinned; it presented a ${presented.type} key ${presented.fingerprint}. Nothing was sent to it. ` +
          `Confirm that fingerprint with the server's owner (ssh-keygen -lf on its host key), then set LOYALTY_SYNC_SFTP_HOST_KEY=${presented.fingerprint}, ` +
          'or opt out of the check with LOYALTY_SYNC_SFTP_ACCEPT_ANY_HOST_KEY=true (insecure)',
      );
    }
    return new SourceError(
      'SFTP_HOST_KEY_MISMATCH',
      `${where}: host key mismatch: the server presented a ${presented.type} key ${presented.fingerprint}, but the pinned key is ${pins.map((pin) => pin.fingerprint).join(' or ')}. ` +
        'Nothing was sent to it (not even credentials). If the key was changed on purpose, verify the new fingerprint and update LOYALTY_SYNC_SFTP_HOST_KEY; ' +
        "if you pinned another of the server's keys, give the whole `ssh-keygen -lf` line so its key type is asked for",
    );
  };

  return {
    description: where,
    async open(logger) {
      let current: Connection | undefined;

      const drop = (connection: Connection) => {
        connection.alive = false;
        connection.ssh.destroy();
        if (current === connection) current = undefined;
      };

      const withRetry = async <T>(what: string, failCode: 'SFTP_CONNECT_FAILED' | 'SFTP_PARTIAL_FILE', operation: (connection: Connection, attempt: number) => Promise<T>): Promise<T> => {
        for (let attempt = 1; ; attempt++) {
          let connection: Connection | undefined;
          try {
            if (!current?.alive) current = await connectOnce(logger);
            connection = current;
            return await operation(connection, attempt);
          } catch (error) {
            if (error instanceof SyncError) throw error;
            const lost = !connection || !connection.alive || error instanceof SftpTimeout || looksLikeConnectionLoss(error);
            if (!lost) throw error;
            if (connection) drop(connection);
            const message = (error as Error).message ?? String(error);
            if (attempt >= settings.attempts) {
              throw new SourceError(connection ? failCode : 'SFTP_CONNECT_FAILED', `${where}: ${what} failed after ${attempt} attempt(s): ${message}`, { cause: error });
            }
            const delayMs = Math.round(random() * Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** (attempt - 1)));
            logger.warn({ operation: what, attempt, delayMs, error: message }, 'SFTP connection problem; retrying on a new connection');
            await sleep(delayMs);
          }
        }
      };

      const at = (connection: Connection, path: string) => posix.join(connection.root, path);
      const timed = <T>(connection: Connection, what: string, promise: Promise<T>) => deadline(promise, settings.timeoutMs, what, () => drop(connection));

      // Connect now: a wrong host key or login fails the pull before anything else.
      await withRetry('connect', 'SFTP_CONNECT_FAILED', async () => undefined);

      const session: DropSession = {
        list: (folder) =>
          withRetry(`list ${folder}`, 'SFTP_CONNECT_FAILED', async (connection) => {
            let items: SftpClientType.FileInfo[];
            try {
              items = await timed(connection, `listing ${folder}`, connection.client.list(at(connection, folder)));
            } catch (error) {
              if ((error as { code?: unknown }).code === NO_SUCH_FILE) return undefined;
              throw error;
            }
            return items.map((item): DropEntry => ({ name: item.name, isFile: item.type === '-', isSymlink: item.type === 'l', size: item.size, mtimeMs: item.modifyTime }));
          }),

        fetch: (path, localPath) =>
          withRetry(`download ${path}`, 'SFTP_PARTIAL_FILE', async (connection) => {
            const stream = connection.client.createReadStream(at(connection, path));
            // A read timeout, not a total one: the transfer may take long as long as bytes keep coming.
            let timer: NodeJS.Timeout | undefined;
            const arm = () => {
              clearTimeout(timer);
              timer = setTimeout(() => stream.destroy(new SftpTimeout(`no data for ${settings.timeoutMs} ms while downloading ${path}`)), settings.timeoutMs);
            };
            arm();
            try {
              return await copyHashed(stream, localPath, arm);
            } finally {
              clearTimeout(timer);
            }
          }),

        rename: (from, to) =>
          withRetry(`rename ${from} to ${to}`, 'SFTP_CONNECT_FAILED', async (connection, attempt) => {
            try {
              await timed(connection, `renaming ${from}`, connection.client.rename(at(connection, from), at(connection, to)));
            } catch (error) {
              // A retried rename may have happened before the connection dropped: done if it did.
              if (attempt > 1 && connection.alive) {
                const [source, target] = await Promise.all([connection.client.exists(at(connection, from)), connection.client.exists(at(connection, to))]);
                if (!source && target) return;
              }
              throw error;
            }
          }),

        mkdir: (folder) =>
          withRetry(`mkdir ${folder}`, 'SFTP_CONNECT_FAILED', async (connection) => {
            try {
              await timed(connection, `creating ${folder}`, connection.client.mkdir(at(connection, folder), true));
            } catch (error) {
              // Another process (a shard of the same night) created it between the library's check and its
              // MKDIR: the server answers a plain failure, but the folder is there, which is all we asked.
              if (!connection.alive || (await timed(connection, `inspecting ${folder}`, connection.client.exists(at(connection, folder)))) !== 'd') throw error;
            }
          }),

        writeFile: (path, text) =>
          withRetry(`write ${path}`, 'SFTP_CONNECT_FAILED', async (connection) => {
            await timed(connection, `writing ${path}`, connection.client.put(Buffer.from(text, 'utf8'), at(connection, path)));
          }),

        createExclusive: (path, text) =>
          withRetry(`create ${path}`, 'SFTP_CONNECT_FAILED', async (connection, attempt) => {
            const target = at(connection, path);
            try {
              await timed(connection, `creating ${path}`, connection.client.put(Buffer.from(text, 'utf8'), target, { writeStreamOptions: { flags: EXCLUSIVE_WRITE } }));
              return true;
            } catch (error) {
              // SFTP v3 has no "exists" status: a refused exclusive open is a generic failure, so look.
              if (!connection.alive || !(await timed(connection, `inspecting ${path}`, connection.client.exists(target)))) throw error;
              // A retried create may have happened before the connection dropped: ours if it holds our text.
              return attempt > 1 && ((await timed(connection, `reading ${path}`, connection.client.get(target))) as Buffer).toString('utf8') === text;
            }
          }),

        readText: (path) =>
          withRetry(`read ${path}`, 'SFTP_CONNECT_FAILED', async (connection) => {
            try {
              return ((await timed(connection, `reading ${path}`, connection.client.get(at(connection, path)))) as Buffer).toString('utf8');
            } catch (error) {
              if ((error as { code?: unknown }).code === NO_SUCH_FILE) return undefined;
              throw error;
            }
          }),

        remove: (path) =>
          withRetry(`remove ${path}`, 'SFTP_CONNECT_FAILED', async (connection) => {
            const target = at(connection, path);
            const type = await timed(connection, `inspecting ${path}`, connection.client.exists(target));
            if (type === 'd') await timed(connection, `removing ${path}`, connection.client.rmdir(target, true));
            else if (type) await timed(connection, `removing ${path}`, connection.client.delete(target, true));
          }),

        async close() {
          const connection = current;
          current = undefined;
          if (!connection) return;
          // A polite end, but never wait on a server that stopped answering.
          await deadline(connection.client.end(), 2_000, 'closing', () => connection.ssh.destroy()).catch(() => connection.ssh.destroy());
          connection.alive = false;
        },
      };
      return session;
    },
  };
}

function looksLikeConnectionLoss(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) || (typeof message === 'string' && CONNECTION_LOST_MESSAGE.test(message));
}

/** `promise`, or an SftpTimeout after `ms` (then `onTimeout` runs, e.g. to drop the connection). */
function deadline<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SftpTimeout(`${what} took longer than ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
