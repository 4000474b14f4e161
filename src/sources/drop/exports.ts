// From a listing of incoming/ to the exports in it and whether each is complete. Pure: the drop folder
// (folder.ts and the other files here) does the I/O and hands in listings and parsed manifests.
//
// Completeness, in this order:
//   1. a manifest exists → complete when every file it lists is there with the listed size;
//   2. `<key>.done` or the plain `.done` exists → complete;
//   3. otherwise → complete when a second listing, taken some seconds later, shows the same files with
//      the same sizes and modification times, and no temporary file (`….part` etc.) of the key exists.
import type { DropEntry } from './storage.ts';
import type { Manifest } from './manifest.ts';
import { roleOfName } from './names.ts';
import type { FileKinds } from '../file-kinds.ts';
import type { ExportKind } from '../../base/kinds.ts';

export interface ExportCandidate {
  key: string;
  /** Data files (CSV of a known kind) sharing the key, by name. */
  data: (DropEntry & { kind: ExportKind })[];
  done?: DropEntry;
  manifest?: DropEntry;
  /** Temporary names belonging to the key: an upload is still going on. */
  temporaries: string[];
}

export interface IncomingListing {
  /** Exports with at least one data file or a manifest, by key. */
  candidates: ExportCandidate[];
  plainDone?: DropEntry;
  /** Names that are not read: unknown files, folders, links, markers without data. */
  ignored: string[];
  /** Of those, the symbolic links: a merchant who links an export into incoming/ expects it to be read. */
  links: string[];
}

export function groupIncoming(entries: readonly DropEntry[], kinds?: FileKinds): IncomingListing {
  const byKey = new Map<string, ExportCandidate>();
  const candidate = (key: string) => {
    let found = byKey.get(key);
    if (!found) byKey.set(key, (found = { key, data: [], temporaries: [] }));
    return found;
  };
  const ignored: string[] = [];
  const links = entries.filter((entry) => entry.isSymlink).map((entry) => entry.name).sort();
  let plainDone: DropEntry | undefined;
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const role = roleOfName(entry.name, kinds);
    if (role.role === 'temporary') {
      // A temporary name counts even when it is a folder or link: something is being written.
      if (role.key !== undefined) candidate(role.key).temporaries.push(entry.name);
      else ignored.push(entry.name);
      continue;
    }
    if (!entry.isFile) {
      ignored.push(entry.name);
      continue;
    }
    if (role.role === 'data') candidate(role.key).data.push({ ...entry, kind: role.kind });
    else if (role.role === 'manifest') candidate(role.key).manifest = entry;
    else if (role.role === 'done') {
      if (role.key === undefined) plainDone = entry;
      else candidate(role.key).done = entry;
    }
    else ignored.push(entry.name);
  }
  // The plain `.done` is also the marker of the key-less export.
  if (plainDone && byKey.has('')) byKey.get('')!.done = plainDone;
  const candidates: ExportCandidate[] = [];
  for (const found of [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (found.data.length > 0 || found.manifest) candidates.push(found);
    else ignored.push(...(found.done && found.done !== plainDone ? [found.done.name] : []), ...found.temporaries);
  }
  return { candidates, ...(plainDone && { plainDone }), ignored, links };
}

export type Completeness =
  | { complete: true; by: 'manifest' | 'done marker' | 'stable size'; files: ExportCandidate['data'] }
  | { complete: false; reason: string };

export interface JudgeInput {
  candidate: ExportCandidate;
  /** The parsed manifest, or what is wrong with it (only when the candidate has one). */
  manifest?: Manifest | { problem: string };
  plainDone: boolean;
  /** The same export in a listing taken `stableSeconds` later; required for rule 3. */
  later?: ExportCandidate | 'absent';
}

/** Whether rule 3 (two listings) is needed to judge this candidate. */
export function needsSecondListing(candidate: ExportCandidate, plainDone: boolean): boolean {
  return !candidate.manifest && !candidate.done && !plainDone;
}

export function judgeCompleteness({ candidate, manifest, plainDone, later }: JudgeInput): Completeness {
  if (candidate.manifest) {
    if (!manifest) return { complete: false, reason: `${candidate.manifest.name} was not read` };
    if ('problem' in manifest) return { complete: false, reason: `${candidate.manifest.name} cannot be used: ${manifest.problem}` };
    const files: ExportCandidate['data'] = [];
    for (const listed of manifest.files) {
      const found = candidate.data.find((file) => file.name === listed.name);
      if (!found) return { complete: false, reason: `waiting for ${listed.name} (listed in ${candidate.manifest.name})` };
      if (found.size !== listed.size) return { complete: false, reason: `${listed.name} has ${found.size} bytes, ${candidate.manifest.name} says ${listed.size}` };
      files.push(found);
    }
    return { complete: true, by: 'manifest', files };
  }
  if (candidate.done || plainDone) return { complete: true, by: 'done marker', files: candidate.data };
  if (!later) return { complete: false, reason: 'not listed twice yet' };
  if (later === 'absent') return { complete: false, reason: 'its files went away between two listings' };
  const temporaries = [...new Set([...candidate.temporaries, ...later.temporaries])];
  if (temporaries.length > 0) return { complete: false, reason: `still being uploaded (${temporaries.join(', ')})` };
  const before = candidate.data.map((file) => `${file.name}\u0000${file.size}\u0000${file.mtimeMs}`).join('\n');
  const after = later.data.map((file) => `${file.name}\u0000${file.size}\u0000${file.mtimeMs}`).join('\n');
  if (before !== after) {
    const changed = later.data.filter((file) => !candidate.data.some((old) => old.name === file.name && old.size === file.size && old.mtimeMs === file.mtimeMs));
    const names = [...changed.map((file) => file.name), ...candidate.data.filter((old) => !later.data.some((file) => file.name === old.name)).map((file) => file.name)];
    return { complete: false, reason: `still changing (${names.join(', ')})` };
  }
  return { complete: true, by: 'stable size', files: candidate.data };
}
