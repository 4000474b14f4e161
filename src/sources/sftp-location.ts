// `--source sftp://user@host[:port]/path`: where the drop folder is. The path is absolute
// (`sftp://u@h/srv/drop` → `/srv/drop`); `/~/drop` is relative to the user's login folder. A password in
// the URL is refused: it would show in `ps`, shell history and logs (use LOYALTY_SYNC_SFTP_PASSWORD).
import { ConfigError } from '../errors.ts';

export interface SftpLocation {
  host: string;
  port: number;
  username: string;
  /** The drop folder's root: absolute (`/srv/drop`) or relative to the login folder (`drop`, `.`). */
  root: string;
  /** The URL without credentials, for logs and reports. */
  description: string;
}

const EXPECTED = 'expected sftp://user@host[:port]/path';

export function parseSftpLocation(text: string): SftpLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`invalid SFTP source "${redactUserInfo(text)}": ${EXPECTED}`);
  }
  if (url.protocol.toLowerCase() !== 'sftp:') throw new ConfigError(`invalid SFTP source "${redactUserInfo(text)}": ${EXPECTED}`);
  if (url.password) {
    throw new ConfigError(`the SFTP source URL carries a password; remove it from the URL and set LOYALTY_SYNC_SFTP_PASSWORD (or "sftp.password" in the config file) instead`);
  }
  const username = decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!username) throw new ConfigError(`the SFTP source ${url.href} names no user: ${EXPECTED}`);
  if (!host) throw new ConfigError(`the SFTP source ${url.href} names no host: ${EXPECTED}`);
  if (url.search || url.hash) throw new ConfigError(`the SFTP source ${url.href} has a query or fragment: ${EXPECTED}`);
  const port = url.port ? Number(url.port) : 22;
  const path = decodeURIComponent(url.pathname);
  const root = path === '' || path === '/' ? '/' : path === '/~' || path === '/~/' ? '.' : path.startsWith('/~/') ? path.slice(3).replace(/\/+$/, '') : path.replace(/\/+$/, '');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { host, port, username, root, description: `sftp://${encodeURIComponent(username)}@${hostPart}${url.port ? `:${port}` : ''}${url.pathname || '/'}` };
}

/** The text with anything between `//` and `@` hidden, for error messages about unparsable URLs. */
export function redactUserInfo(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//…@');
}
