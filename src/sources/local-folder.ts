// A plain local folder holding one export (`members.csv`, `coupons.csv`, …). It is read as it is on
// every run and never moved; drop-folder semantics (incoming/archive/failed) live in drop/folder.ts.
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SourceError } from '../errors.ts';
import type { ExportKind } from '../base/kinds.ts';
import type { IngestFile } from '../base/export-shapes.ts';
import { wallTimeToUtc } from '../base/time.ts';
import { DEFAULT_FILE_KINDS, type FileKinds } from './file-kinds.ts';
import type { Source } from './source.ts';
import type { PulledExport } from '../base/run-shapes.ts';

export function localFolderSource(folder: string, timeZone: string, kinds: FileKinds = DEFAULT_FILE_KINDS): Source {
  const root = resolve(folder);
  return {
    description: root,
    async pull() {
      let names: string[];
      try {
        names = readdirSync(root);
      } catch (error) {
        throw new SourceError('SOURCE_NOT_FOUND', `source folder ${root} cannot be read: ${(error as Error).message}`, { cause: error });
      }
      const files = exportFilesIn(root, names, kinds);
      return { id: basename(root), files, ...asOfExport(files, timeZone) };
    },
    async putAway() {
      return [];
    },
    async close() {},
  };
}

/** The export's files among `names`: one file per kind, members required. */
export function exportFilesIn(folder: string, names: readonly string[], kinds: FileKinds = DEFAULT_FILE_KINDS): IngestFile[] {
  const byKind = new Map<ExportKind, string[]>();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const kind = kinds.kindOf(name);
    if (!kind || !statSync(join(folder, name)).isFile()) continue;
    byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
  }
  for (const [kind, found] of byKind) {
    if (found.length > 1) {
      throw new SourceError('SOURCE_AMBIGUOUS', `${folder} holds ${found.length} ${kinds.globOf(kind)} files (${found.sort().join(', ')}); a folder holds one export`);
    }
  }
  if (!byKind.has('members')) throw new SourceError('SOURCE_NO_MEMBERS', `${folder} has no ${kinds.globOf('members')} file (required)`);
  return [...byKind].map(([kind, [name]]) => ({ kind, name: name!, path: join(folder, name!) }));
}

const NAME_DATE = /(\d{4})-?(\d{2})-?(\d{2})(?:[T_-]?(\d{2})(\d{2})(\d{2})?)?/;

/** The as-of time: a date (and time) in the members file name, else the newest modification time. */
export function asOfExport(files: readonly IngestFile[], timeZone: string): Pick<PulledExport, 'asOf' | 'asOfFrom'> {
  const members = files.find((file) => file.kind === 'members')!;
  const named = dateInName(members.name, timeZone);
  if (named) return { asOf: named, asOfFrom: 'file name' };
  const newest = Math.max(...files.map((file) => statSync(file.path).mtimeMs));
  return { asOf: new Date(Math.floor(newest / 1000) * 1000), asOfFrom: 'modification time' };
}

/** A date (and time) written in a file name (`2026-11-24`, `20261124`, `20261124T0300`), in `timeZone`. */
export function dateInName(name: string, timeZone: string): Date | undefined {
  const match = NAME_DATE.exec(name);
  if (!match) return undefined;
  const [, y, m, d, hh = '00', mm = '00', ss = '00'] = match;
  const parsed = wallTimeToUtc([Number(y), Number(m), Number(d), Number(hh), Number(mm), Number(ss), 0], timeZone);
  return parsed === undefined ? undefined : new Date(parsed);
}
