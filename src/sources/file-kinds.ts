// Which kind of export file a name is: each kind has a glob (config `files`, default `members*.csv`,
// `coupons*.csv`, `stamp_cards*.csv`, `bonus_checks*.csv`), matched case-insensitively against the file
// name. Plain folders, local drop folders and SFTP drop folders all ask this one place.
//
// Globs know `*` (any run of characters) and `?` (one character), nothing else: a file name is all they
// match, and what the wildcards matched is the name's export KEY (drop folders group files by it:
// `members-2026-11-24.csv` and `coupons-2026-11-24.csv` are export `2026-11-24`).
import { z } from 'zod';
import { ConfigError, SourceError } from '../errors.ts';
import { EXPORT_KINDS, type ExportKind } from '../ingest/kinds.ts';

const glob = z
  .string()
  .min(1)
  .regex(/^[^/\\]+$/, 'expected a file-name glob like "medlemmer*.csv" (no folders)');

/** Config `files`: the glob of each kind's file name. Defaults live here and nowhere else. */
export const fileGlobsSchema = z
  .strictObject({
    members: glob.default('members*.csv'),
    coupons: glob.default('coupons*.csv'),
    stampCards: glob.default('stamp_cards*.csv'),
    bonusChecks: glob.default('bonus_checks*.csv'),
  })
  .refine((globs) => new Set(EXPORT_KINDS.map((kind) => globs[kind].toLowerCase())).size === EXPORT_KINDS.length, {
    message: 'two kinds have the same glob; each kind needs its own file names',
  });
export type FileGlobs = z.infer<typeof fileGlobsSchema>;

export interface FileKinds {
  /** The kind whose glob the name matches; undefined for other names. A name matching two globs is an error. */
  kindOf(name: string): ExportKind | undefined;
  /** The export key of a name of `kind`: what the glob's wildcards matched, without leading separators. */
  keyOf(name: string, kind: ExportKind): string;
  /** The glob of `kind`, for messages. */
  globOf(kind: ExportKind): string;
}

export function fileKinds(globs: FileGlobs): FileKinds {
  const patterns = EXPORT_KINDS.map((kind) => ({ kind, glob: globs[kind], pattern: globPattern(globs[kind]) }));
  return {
    kindOf(name) {
      const matching = patterns.filter((entry) => entry.pattern.test(name));
      if (matching.length > 1) {
        const which = matching.map((entry) => `${entry.kind} ("${entry.glob}")`).join(' and ');
        throw new SourceError('SOURCE_AMBIGUOUS', `the file name ${name} matches the globs of ${which}; make the "files" globs in the config tell them apart`);
      }
      return matching[0]?.kind;
    },
    keyOf(name, kind) {
      const match = patterns.find((entry) => entry.kind === kind)!.pattern.exec(name);
      if (!match) throw new ConfigError(`${name} is not a ${kind} file name ("${globs[kind]}")`);
      return match.slice(1).join('').replace(/^[-_. ]+/, '');
    },
    globOf(kind) {
      return globs[kind];
    },
  };
}

export const DEFAULT_FILE_KINDS = fileKinds(fileGlobsSchema.parse({}));

/** `*` and `?` become capturing groups (the key), everything else matches itself, case-insensitively. */
function globPattern(glob: string): RegExp {
  const source = glob.replace(/[.+^${}()|[\]\\*?]/g, (char) => (char === '*' ? '(.*)' : char === '?' ? '(.)' : `\\${char}`));
  return new RegExp(`^${source}$`, 'is');
}
