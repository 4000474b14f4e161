// What a name in incoming/ is, and which export it belongs to. Pure: no I/O.
//
// Grouping rule: an export's files share a KEY, the part of the name after the kind prefix, without the
// `.csv` extension and without leading separators (`-`, `_`, `.`, space):
//   members-2026-11-24.csv, coupons-2026-11-24.csv, stamp_cards_2026-11-24.csv → export "2026-11-24"
//   members.csv, coupons.csv                                                   → export "" (no key)
// Markers and manifests name the key: `2026-11-24.done`, `2026-11-24.manifest.json`; for files without
// a key, the plain `.done` and `manifest.json`. The plain `.done` also marks every export in incoming/.
// Temporary names are never read: `*.part`, `*.tmp`, `*.filepart` and dotfiles (other than `.done`);
// while one exists for an export's key, that export is not complete by the stable-size rule.
import { KINDS, kindOfFile, type ExportKind } from '../ingest/kinds.ts';

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

export function roleOfName(name: string): NameRole {
  const lower = name.toLowerCase();
  if (lower === PLAIN_DONE) return { role: 'done', key: undefined };
  if (name.startsWith('.') || TEMPORARY_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return { role: 'temporary', key: keyOfTemporary(name) };
  if (lower.endsWith(DONE_SUFFIX)) return { role: 'done', key: name.slice(0, -DONE_SUFFIX.length) };
  if (lower === KEYLESS_MANIFEST) return { role: 'manifest', key: '' };
  if (lower.endsWith(MANIFEST_SUFFIX)) return { role: 'manifest', key: name.slice(0, -MANIFEST_SUFFIX.length) };
  const kind = kindOfFile(name);
  if (kind) return { role: 'data', kind, key: keyOfDataName(name, kind) };
  return { role: 'other' };
}

/** The marker and manifest names of an export key. */
export function doneNameOf(key: string): string {
  return key === '' ? PLAIN_DONE : `${key}${DONE_SUFFIX}`;
}

export function manifestNameOf(key: string): string {
  return key === '' ? KEYLESS_MANIFEST : `${key}${MANIFEST_SUFFIX}`;
}

function keyOfDataName(name: string, kind: ExportKind): string {
  return name.slice(KINDS[kind].filePrefix.length, -'.csv'.length).replace(/^[-_. ]+/, '');
}

/** The key of the file a temporary name will become: `members-2026-11-24.csv.part`, `.members-2026-11-24.csv.x1Y2`. */
function keyOfTemporary(name: string): string | undefined {
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
  const csvAt = base.toLowerCase().indexOf('.csv');
  if (csvAt > 0) base = base.slice(0, csvAt + '.csv'.length);
  const kind = kindOfFile(base);
  return kind ? keyOfDataName(base, kind) : undefined;
}
