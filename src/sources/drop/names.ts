// What a name in incoming/ is, and which export it belongs to. Pure: no I/O.
//
// Grouping rule: an export's files share a KEY, the part of the name that the kind's glob's wildcards
// matched (config `files`, see file-kinds.ts), without leading separators (`-`, `_`, `.`, space):
//   members-2026-11-24.csv, coupons-2026-11-24.csv, stamp_cards_2026-11-24.csv → export "2026-11-24"
//   members.csv, coupons.csv                                                   → export "" (no key)
// Markers and manifests name the key: `2026-11-24.done`, `2026-11-24.manifest.json`; for files without
// a key, the plain `.done` and `manifest.json`. The plain `.done` also marks every export in incoming/.
// Temporary names are never read: `*.part`, `*.tmp`, `*.filepart` and dotfiles (other than `.done`);
// while one exists for an export's key, that export is not complete by the stable-size rule.
import type { ExportKind } from '../../base/kinds.ts';
import { DEFAULT_FILE_KINDS, type FileKinds } from '../file-kinds.ts';

export type NameRole =
  | { role: 'data'; kind: ExportKind; key: string }
  /** `key` undefined: the plain `.done`, which marks everything in incoming/. */
  | { role: 'done'; key: string | undefined }
  | { role: 'manifest'; key: string }
  | { role: 'temporary'; key: string | undefined }
  | { role: 'other' };

export const PLAIN_DONE = '.done';
const TEMPORARY_SUFFIXES = ['.part', '.tmp', '.filepart'];
const DONE_SUFFIX = '.done';
const MANIFEST_SUFFIX = '.manifest.json';
const KEYLESS_MANIFEST = 'manifest.json';

export function roleOfName(name: string, kinds: FileKinds = DEFAULT_FILE_KINDS): NameRole {
  const lower = name.toLowerCase();
  if (lower === PLAIN_DONE) return { role: 'done', key: undefined };
  if (name.startsWith('.') || TEMPORARY_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return { role: 'temporary', key: keyOfTemporary(name, kinds) };
  if (lower.endsWith(DONE_SUFFIX)) return { role: 'done', key: name.slice(0, -DONE_SUFFIX.length) };
  if (lower === KEYLESS_MANIFEST) return { role: 'manifest', key: '' };
  if (lower.endsWith(MANIFEST_SUFFIX)) return { role: 'manifest', key: name.slice(0, -MANIFEST_SUFFIX.length) };
  const kind = kinds.kindOf(name);
  if (kind) return { role: 'data', kind, key: kinds.keyOf(name, kind) };
  return { role: 'other' };
}

/**
 * The key of the file a temporary name will become: `members-2026-11-24.csv.part`,
 * `.members-2026-11-24.csv.x1Y2` (rsync): temporary suffixes and leading dots go, then extensions are
 * taken off the end until a kind's glob matches.
 */
function keyOfTemporary(name: string, kinds: FileKinds): string | undefined {
  let base = name.replace(/^\.+/, '');
  for (let changed = true; changed; ) {
    changed = false;
    for (const suffix of TEMPORARY_SUFFIXES) {
      if (base.toLowerCase().endsWith(suffix)) {
        base = base.slice(0, -suffix.length);
        changed = true;
      }
    }
  }
  for (let candidate: string | undefined = base; candidate; candidate = candidate.includes('.') ? candidate.slice(0, candidate.lastIndexOf('.')) : undefined) {
    const kind = kinds.kindOf(candidate);
    if (kind) return kinds.keyOf(candidate, kind);
  }
  return undefined;
}
