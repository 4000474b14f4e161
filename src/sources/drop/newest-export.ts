// Which export in incoming/ a run syncs: the newest complete one. Older complete exports are superseded
// (each export is a full state, so only the newest counts); incomplete ones are left for a later run.
// The rules of completeness are exports.ts; this file gathers what they judge (manifests, and the
// second listing of the stable-size rule) and orders what they accept.
import type { Logger } from '../../log.ts';
import type { ExportKind } from '../../base/kinds.ts';
import type { Manifest } from './manifest.ts';
import { judgeCompleteness, needsSecondListing, type ExportCandidate, type IncomingListing } from './exports.ts';
import { listIncoming, readManifest, type DataFile, type DropFolder } from './incoming.ts';
import type { DropEntry, DropSession } from './storage.ts';
import type { FileKinds } from '../file-kinds.ts';
import { dateInName } from '../local-folder.ts';

export interface CompleteExport {
  /** The key, or the incoming folder's name for the export without one. */
  id: string;
  candidate: ExportCandidate;
  files: DataFile[];
  by: string;
  manifest?: Manifest;
  order: number;
}

export interface NewestExport {
  chosen: CompleteExport;
  superseded: CompleteExport[];
  plainDone?: DropEntry;
}

export interface FindOptions extends DropFolder {
  /** For dates in file names. */
  timeZone: string;
  /** The wait between the two listings of the stable-size rule. */
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
  /** Where manifests are downloaded to. */
  workDir: string;
  /** What is left in incoming/ and why, for the report. */
  onWarning?: (warning: string) => void;
}

/** The newest complete export in incoming/, or undefined when none is complete. */
export async function findNewestExport(session: DropSession, options: FindOptions): Promise<NewestExport | undefined> {
  const { settings, timeZone, logger } = options;
  const exportIdOf = (key: string) => key || settings.incoming;
  const where = `${options.storage.description}/${settings.incoming}`;
  const warn = (warning: string) => options.onWarning?.(warning);
  const first = await listIncoming(session, options);
  if (first.ignored.length > 0) logger.debug({ ignored: first.ignored }, 'names in incoming that are not read');
  for (const link of first.links) warn(`${where}/${link} is a symbolic link: not read (links are never followed); put the file itself in ${settings.incoming}/`);
  const manifests = new Map<string, Manifest | { problem: string }>();
  for (const candidate of first.candidates) {
    if (candidate.manifest) manifests.set(candidate.key, await readManifest(session, options, candidate.manifest, candidate.key, options.workDir));
  }
  const plainDone = first.plainDone !== undefined;
  let later: IncomingListing | undefined;
  if (first.candidates.some((candidate) => needsSecondListing(candidate, plainDone))) {
    logger.debug({ seconds: settings.stableSeconds }, 'waiting to see whether unmarked exports hold still');
    await options.sleep(settings.stableSeconds * 1000);
    later = await listIncoming(session, options);
  }

  const complete: CompleteExport[] = [];
  for (const candidate of first.candidates) {
    const manifest = manifests.get(candidate.key);
    const judged = judgeCompleteness({
      candidate,
      ...(manifest && { manifest }),
      plainDone,
      ...(later && { later: later.candidates.find((other) => other.key === candidate.key) ?? 'absent' }),
    });
    if (!judged.complete) {
      logger.info({ export: exportIdOf(candidate.key), reason: judged.reason }, 'export not complete yet; left in incoming');
      warn(`${where}: export ${exportIdOf(candidate.key)} not synced: ${judged.reason}; it stays in ${settings.incoming}/`);
      continue;
    }
    const usable = manifest && !('problem' in manifest) ? manifest : undefined;
    const order = usable?.asOf ? Date.parse(usable.asOf) : (dateInName(candidate.key, timeZone)?.getTime() ?? Math.max(...judged.files.map((file) => file.mtimeMs)));
    complete.push({ id: exportIdOf(candidate.key), candidate, files: judged.files, by: judged.by, ...(usable && { manifest: usable }), order });
  }
  complete.sort((a, b) => b.order - a.order || (a.candidate.key < b.candidate.key ? 1 : -1));
  const [chosen, ...superseded] = complete;
  if (!chosen) {
    logger.info({ waiting: first.candidates.length }, 'no complete export in incoming');
    return undefined;
  }
  logger.info({ export: chosen.id, completeBy: chosen.by, files: chosen.files.map((file) => file.name), superseded: superseded.map((old) => old.id) }, 'newest complete export');
  return { chosen, superseded, ...(first.plainDone && { plainDone: first.plainDone }) };
}

/** What makes a complete export unusable: no members file, or two files of one kind. */
export function problemOf(files: readonly DataFile[], kinds: FileKinds): { code: 'SOURCE_NO_MEMBERS' | 'SOURCE_AMBIGUOUS'; message: string } | undefined {
  const byKind = new Map<ExportKind, string[]>();
  for (const file of files) byKind.set(file.kind, [...(byKind.get(file.kind) ?? []), file.name]);
  for (const [kind, names] of byKind) {
    if (names.length > 1) return { code: 'SOURCE_AMBIGUOUS', message: `has ${names.length} ${kinds.globOf(kind)} files (${names.join(', ')}); an export holds one per kind` };
  }
  if (!byKind.has('members')) return { code: 'SOURCE_NO_MEMBERS', message: `has no members file (required); it holds ${files.map((file) => file.name).join(', ')}` };
  return undefined;
}
