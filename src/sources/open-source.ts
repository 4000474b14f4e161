import { statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, SourceError } from '../errors.ts';
import { dropFolderSource } from './drop/folder.ts';
import { localDropStorage } from './drop/local-storage.ts';
import { fileKinds } from './file-kinds.ts';
import { type FileGlobs } from '../config/source-settings.ts';
import { localFolderSource } from './local-folder.ts';
import { dropFolderSettingsSchema, sftpSettingsSchema, type DropFolderSettings, type SftpSettings } from '../config/source-settings.ts';
import { resolveSftpAuth } from './sftp-auth.ts';
import { sftpDropStorage, type SftpStorageDeps } from './drop/sftp-storage.ts';
import { parseSftpLocation, redactUserInfo } from './sftp-location.ts';
import type { Source } from './source.ts';
import type { Shard } from '../base/shard.ts';

export interface SourceOptions {
  timeZone: string;
  /** From the run config; absent means the schema's defaults. */
  files?: FileGlobs;
  dropFolder?: DropFolderSettings;
  sftp?: SftpSettings;
  /** `--shard i/N`: a drop folder is then put away only by the last shard to finish. */
  shard?: Shard;
  /** How long a shard's registration or settle lock in a drop folder lives without its process. */
  lockStaleSeconds?: number;
}

/** Seams for tests: the stable-size wait, the clock, the SFTP backoff, where downloads go. */
export interface SourceDeps extends SftpStorageDeps {
  now?: () => Date;
  tempDir?: string;
}

/**
 * `--source`:
 * - `sftp://user@host[:port]/path` → an SFTP drop folder (path = root holding incoming/, archive/, failed/);
 * - a folder with an `incoming/` subfolder → a local drop folder, same rules;
 * - any other folder → a plain folder holding one export, read as it is and never moved.
 */
export function openSource(location: string, options: SourceOptions, deps: SourceDeps = {}): Source {
  const dropFolder = options.dropFolder ?? dropFolderSettingsSchema.parse({});
  const kinds = options.files ? fileKinds(options.files) : undefined;
  const common = {
    settings: dropFolder,
    ...(kinds && { kinds }),
    timeZone: options.timeZone,
    ...(deps.now && { now: deps.now }),
    ...(deps.sleep && { sleep: deps.sleep }),
    ...(deps.tempDir && { tempDir: deps.tempDir }),
    ...(options.shard && { shard: options.shard }),
    ...(options.lockStaleSeconds !== undefined && { staleAfterMs: options.lockStaleSeconds * 1000 }),
  };
  if (/^sftp:\/\//i.test(location)) {
    const sftp = options.sftp ?? sftpSettingsSchema.parse({});
    const storage = sftpDropStorage(parseSftpLocation(location), sftp, resolveSftpAuth(sftp), deps);
    return dropFolderSource({ storage, ...common });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new ConfigError(`unsupported source ${redactUserInfo(location)}: expected a folder or sftp://user@host[:port]/path`);
  // Checked before anything else happens: a mistyped --source must not leave a state file or a report
  // folder behind, nor end as a failed run in the monitoring.
  let folder: Stats | undefined;
  try {
    folder = statSync(location, { throwIfNoEntry: false });
  } catch (error) {
    throw new SourceError('SOURCE_NOT_FOUND', `source folder ${resolve(location)} cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  if (!folder) throw new SourceError('SOURCE_NOT_FOUND', `source folder ${resolve(location)} does not exist (ENOENT)`);
  if (!folder.isDirectory()) throw new SourceError('SOURCE_NOT_FOUND', `source ${resolve(location)} is not a folder (ENOTDIR): --source takes the folder that holds the export`);
  if (statSync(join(location, dropFolder.incoming), { throwIfNoEntry: false })?.isDirectory()) {
    return dropFolderSource({ storage: localDropStorage(location), ...common });
  }
  return localFolderSource(location, options.timeZone, kinds);
}
