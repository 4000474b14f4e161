import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { dropFolderSource } from './drop-folder.ts';
import { localDropStorage } from './local-drop-storage.ts';
import { fileKinds, type FileGlobs } from './file-kinds.ts';
import { localFolderSource } from './local-folder.ts';
import { dropFolderSettingsSchema, resolveSftpAuth, sftpSettingsSchema, type DropFolderSettings, type SftpSettings } from './sftp-config.ts';
import { sftpDropStorage, type SftpStorageDeps } from './sftp-drop-storage.ts';
import { parseSftpLocation, redactUserInfo } from './sftp-location.ts';
import type { Source } from './source.ts';

export interface SourceOptions {
  timeZone: string;
  /** From the run config; absent means the schema's defaults. */
  files?: FileGlobs;
  dropFolder?: DropFolderSettings;
  sftp?: SftpSettings;
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
  };
  if (/^sftp:\/\//i.test(location)) {
    const sftp = options.sftp ?? sftpSettingsSchema.parse({});
    const storage = sftpDropStorage(parseSftpLocation(location), sftp, resolveSftpAuth(sftp), deps);
    return dropFolderSource({ storage, ...common });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new ConfigError(`unsupported source ${redactUserInfo(location)}: expected a folder or sftp://user@host[:port]/path`);
  if (statSync(join(location, dropFolder.incoming), { throwIfNoEntry: false })?.isDirectory()) {
    return dropFolderSource({ storage: localDropStorage(location), ...common });
  }
  return localFolderSource(location, options.timeZone, kinds);
}
