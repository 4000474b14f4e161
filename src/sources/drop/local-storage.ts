// A drop folder on a local (or mounted) file system.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DropEntry, DropSession, DropStorage, FetchedFile } from './storage.ts';

export function localDropStorage(folder: string): DropStorage {
  const root = resolve(folder);
  const at = (path: string) => join(root, ...path.split('/'));
  const session: DropSession = {
    async list(folderPath) {
      let names: string[];
      try {
        names = await readdir(at(folderPath));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const entries: DropEntry[] = [];
      for (const name of names) {
        // lstat: a symlink is not a file we read (it may point anywhere, or be swapped under us).
        const stats = await lstat(join(at(folderPath), name)).catch(() => undefined);
        if (stats) entries.push({ name, isFile: stats.isFile(), isSymlink: stats.isSymbolicLink(), size: stats.size, mtimeMs: stats.mtimeMs });
      }
      return entries;
    },
    async fetch(path, localPath) {
      return copyHashed(createReadStream(at(path)), localPath);
    },
    async rename(from, to) {
      // rename(2) would silently replace an existing file; the archive never overwrites.
      if (existsSync(at(to))) throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
      await rename(at(from), at(to));
    },
    async mkdir(folderPath) {
      await mkdir(at(folderPath), { recursive: true });
    },
    async writeFile(path, text) {
      const temporary = `${at(path)}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, at(path));
    },
    async createExclusive(path, text) {
      try {
        await writeFile(at(path), text, { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    },
    async readText(path) {
      try {
        return await readFile(at(path), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async remove(path) {
      await rm(at(path), { recursive: true, force: true });
    },
    async close() {},
  };
  return {
    description: root,
    async open() {
      return session;
    },
  };
}

/**
 * Streams `input` to `localPath` through a sha256: first to `<localPath>.partial`, renamed once the
 * stream has ended cleanly, so `localPath` only ever holds a whole transfer.
 */
export async function copyHashed(input: NodeJS.ReadableStream, localPath: string, onData?: () => void): Promise<FetchedFile> {
  const partial = `${localPath}.partial`;
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onData?.();
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, tap, createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, localPath);
  return { bytes, sha256: hash.digest('hex') };
}
