import { ConfigError } from '../errors.ts';
import { localFolderSource } from './local-folder.ts';
import type { Source } from './source.ts';

/** `--source`: a local folder, or (later) an SFTP drop folder URL. */
export function openSource(location: string, options: { timeZone: string }): Source {
  if (/^sftp:\/\//i.test(location)) throw new ConfigError(`SFTP sources are not supported by this version yet: ${location.replace(/\/\/[^@/]*@/, '//…@')}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new ConfigError(`unsupported source ${location}: expected a folder or sftp://user@host[:port]/path`);
  return localFolderSource(location, options.timeZone);
}
