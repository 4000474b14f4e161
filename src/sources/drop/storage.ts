// The little a drop folder needs from where its files live: list, fetch to a local file, rename, create
// folders, write a small file. One drop-folder logic (folder.ts) runs over two implementations, a local
// folder (local-storage.ts) and SFTP (sftp-storage.ts), so its rules are written and
// tested once. Paths are relative to the drop folder's root and '/'-separated (`incoming/members.csv`).
import type { Logger } from '../../log.ts';

export interface DropEntry {
  name: string;
  /** Regular files only are ever read; directories, links and specials are listed as not files. */
  isFile: boolean;
  /** A symbolic link: never followed, and named in the report's warnings. */
  isSymlink?: boolean;
  size: number;
  /** Modification time in ms (SFTP gives whole seconds). */
  mtimeMs: number;
}

export interface FetchedFile {
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface DropSession {
  /** The folder's entries, or undefined when the folder does not exist. */
  list(folder: string): Promise<DropEntry[] | undefined>;
  /**
   * Copies a file to `localPath`, hashing it on the way. Either the whole file (to the end the server
   * reported) is at `localPath`, or nothing is: an interrupted transfer is retried from the start and
   * never leaves a partial file behind.
   */
  fetch(path: string, localPath: string): Promise<FetchedFile>;
  /** Moves a file; fails when `to` exists (callers pick a free name first). */
  rename(from: string, to: string): Promise<void>;
  /** Creates a folder and its parents; no error when it exists. */
  mkdir(folder: string): Promise<void>;
  /** Writes a small text file (replacing it if it exists). */
  writeFile(path: string, text: string): Promise<void>;
  /**
   * Creates a small text file only when no file of that name exists (O_CREAT|O_EXCL, atomic on a local
   * file system and on an SFTP server): true when this call created it. Shards use it as a lock.
   */
  createExclusive(path: string, text: string): Promise<boolean>;
  /** A small text file's content, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** Removes a file, or a folder with everything in it (retention); no error when it is gone already. */
  remove(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface DropStorage {
  /** Where the drop folder is, for logs and reports: never with credentials. */
  readonly description: string;
  /** A session for a batch of operations; the drop folder opens one to pull and one to put the export away. */
  open(logger: Logger): Promise<DropSession>;
}
