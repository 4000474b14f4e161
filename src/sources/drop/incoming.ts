// Reading a drop folder's incoming/: its listing, grouped into exports, and local copies of manifests and
// data files. A copy is checked against the listing (size) and the manifest (sha256) before anything
// reads it, so a file that changed while it was read is never synced from a partial transfer.
import { mkdir, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceError, SyncError } from '../../errors.ts';
import { MAX_MANIFEST_BYTES, parseManifest, type Manifest } from './manifest.ts';
import { groupIncoming, type ExportCandidate, type IncomingListing } from './exports.ts';
import type { DropEntry, DropSession, DropStorage } from './storage.ts';
import type { FileKinds } from '../file-kinds.ts';
import type { DropFolderSettings } from '../../config/source-settings.ts';

/** Which drop folder: its storage (whose description every message names), its folder names and file names. */
export interface DropFolder {
  storage: DropStorage;
  settings: DropFolderSettings;
  kinds: FileKinds;
}

export type DataFile = ExportCandidate['data'][number];

export interface FetchedDataFile extends DataFile {
  localPath: string;
  sha256: string;
}

export async function listIncoming(session: DropSession, { storage, settings, kinds }: DropFolder): Promise<IncomingListing> {
  const { incoming, archive, failed } = settings;
  const entries = await session.list(incoming).catch((error: unknown) => {
    if (error instanceof SyncError) throw error;
    throw new SourceError('SOURCE_NOT_FOUND', `${storage.description}/${incoming} cannot be listed: ${(error as Error).message}`, { cause: error });
  });
  if (!entries) {
    throw new SourceError('SOURCE_NOT_FOUND', `${storage.description} has no ${incoming}/ folder (a drop folder holds ${incoming}/, ${archive}/ and ${failed}/)`);
  }
  return groupIncoming(entries, kinds);
}

export async function readManifest(session: DropSession, drop: DropFolder, entry: DropEntry, key: string, workDir: string): Promise<Manifest | { problem: string }> {
  if (entry.size > MAX_MANIFEST_BYTES) return { problem: `${entry.size} bytes is more than a manifest can be (${MAX_MANIFEST_BYTES})` };
  const localPath = join(workDir, `manifest-${encodeURIComponent(entry.name)}`);
  await session.fetch(`${drop.settings.incoming}/${entry.name}`, localPath).catch((error: unknown) => {
    throw readError(drop, entry.name, error);
  });
  return parseManifest(await readFile(localPath, 'utf8'), key, drop.kinds);
}

/** `beforeEach`: called before each file's download (a sharded run keeps its registration fresh). */
export async function fetchExport(session: DropSession, drop: DropFolder, exported: { files: readonly DataFile[]; manifest?: Manifest }, exportDir: string, beforeEach?: () => Promise<void>): Promise<FetchedDataFile[]> {
  const { incoming } = drop.settings;
  await mkdir(exportDir, { recursive: true });
  const fetched: FetchedDataFile[] = [];
  for (const file of exported.files) {
    await beforeEach?.();
    const localPath = join(exportDir, file.name);
    const got = await session.fetch(`${incoming}/${file.name}`, localPath).catch((error: unknown) => {
      throw readError(drop, file.name, error);
    });
    const where = `${drop.storage.description}/${incoming}/${file.name}`;
    if (got.bytes !== file.size) {
      throw new SourceError('SFTP_PARTIAL_FILE', `${where}: read ${got.bytes} bytes, the listing said ${file.size}: it changed while it was read; it stays in ${incoming}/ for the next run`);
    }
    const expected = exported.manifest?.files.find((listed) => listed.name === file.name)?.sha256;
    if (expected && expected !== got.sha256) {
      throw new SourceError('SFTP_PARTIAL_FILE', `${where}: sha256 is ${got.sha256}, the manifest says ${expected}; it stays in ${incoming}/ for the next run`);
    }
    // The local copy keeps the remote modification time: the export's as-of time may come from it.
    const seconds = file.mtimeMs / 1000;
    await utimes(localPath, seconds, seconds);
    fetched.push({ ...file, localPath, sha256: got.sha256 });
  }
  return fetched;
}

function readError({ storage, settings }: DropFolder, name: string, error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  const { incoming } = settings;
  return new SourceError('SFTP_PARTIAL_FILE', `${storage.description}/${incoming}/${name} could not be read: ${(error as Error).message}; it stays in ${incoming}/`, { cause: error });
}
