// Which kind of export file a name is: each kind has a glob (config `files`, default `members*.csv`,
// `coupons*.csv`, `stamp_cards*.csv`, `bonus_checks*.csv`), matched case-insensitively against the file
// name. Plain folders, local drop folders and SFTP drop folders all ask this one place.
//
// Globs know `*` (any run of characters) and `?` (one character), nothing else: a file name is all they
// match. The part of the name from the first wildcard to the last is the name's export KEY, without
// separators at its ends (drop folders group files by it: `members-2026-11-24.csv` and
// `coupons_2026-11-24.csv` are export `2026-11-24`, and so is `medlemmer_????-??-??.txt`'s
// `medlemmer_2026-11-24.txt`).
import { ConfigError, SourceError } from '../errors.ts';
import { EXPORT_KINDS, type ExportKind } from '../base/kinds.ts';
import { fileGlobsSchema, type FileGlobs } from '../config/source-settings.ts';

export interface FileKinds {
  /** The kind whose glob the name matches; undefined for other names. A name matching two globs is an error. */
  kindOf(name: string): ExportKind | undefined;
  /** The export key of a name of `kind`: from what the first wildcard matched to the last, without separators at the ends. */
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
      return (match[1] ?? '').replace(/^[-_. ]+|[-_. ]+$/g, '');
    },
    globOf(kind) {
      return globs[kind];
    },
  };
}

export const DEFAULT_FILE_KINDS = fileKinds(fileGlobsSchema.parse({}));

/** `*` and `?` match any characters, everything else itself, case-insensitively; group 1 is the key. */
function globPattern(glob: string): RegExp {
  const translate = (part: string) => part.replace(/[.+^${}()|[\]\\*?]/g, (char) => (char === '*' ? '.*' : char === '?' ? '.' : `\\${char}`));
  const first = glob.search(/[*?]/);
  if (first === -1) return new RegExp(`^${translate(glob)}()$`, 'is');
  const last = Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?'));
  return new RegExp(`^${translate(glob.slice(0, first))}(${translate(glob.slice(first, last + 1))})${translate(glob.slice(last + 1))}$`, 'is');
}
