// Moving an export out of incoming/ once the run's outcome is known: to `archive/<YYYY-MM-DD>/`
// (succeeded, partial; superseded and already-processed exports too) or to `failed/` with a
// `<name>.error.txt` per data file (refused, failed, or an export that cannot be synced at all).
// Moves never overwrite: a name already taken in the target folder gets a number instead. An error
// note's reason is redacted (src/privacy/): it is a file on the merchant's server, an output like any.
import { dayIn } from '../../base/time.ts';
import { posix } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../log.ts';
import { redactText } from '../../privacy/redact.ts';
import { sourceLedger } from '../../state/ledger.ts';
import type { DropFolder, FetchedDataFile } from './incoming.ts';
import type { CompleteExport } from './newest-export.ts';
import type { DropEntry, DropSession } from './storage.ts';
import type { RunOutcome } from '../source.ts';
import type { PulledExport, FilePlacement } from '../../base/run-shapes.ts';

export interface PutAwayOptions extends DropFolder {
  /** For the archive folder's date. */
  timeZone: string;
  now: () => Date;
}

/** What a pull leaves for putting the export away. */
export interface PendingPutAway {
  pulled: PulledExport;
  chosen: CompleteExport;
  superseded: CompleteExport[];
  plainDone?: DropEntry;
  fetched: FetchedDataFile[];
  db: DatabaseSync;
  logger: Logger;
  workDir: string;
}

/** Puts the synced export away by the run's outcome and archives the exports it superseded. */
export async function putAwayExport(session: DropSession, options: PutAwayOptions, state: PendingPutAway, outcome: Exclude<RunOutcome, 'dry-run' | 'retry'>, reason: string | undefined): Promise<FilePlacement[]> {
  const placements = await putAwayChosen(session, options, state, outcome, reason);
  const folder = archiveFolder(options);
  for (const [index, old] of state.superseded.entries()) {
    placements.push(...(await archiveExport(session, options, folder, old)));
    const entry = state.pulled.superseded?.[index];
    if (entry) entry.movedTo = folder;
  }
  state.logger.info({ export: state.pulled.id, outcome, moved: placements.length, superseded: state.superseded.length }, 'export put away');
  return placements;
}

async function putAwayChosen(session: DropSession, options: PutAwayOptions, state: PendingPutAway, outcome: Exclude<RunOutcome, 'dry-run' | 'retry'>, reason: string | undefined): Promise<FilePlacement[]> {
  if (outcome === 'succeeded' || outcome === 'partial') {
    const folder = archiveFolder(options);
    // The ledger is written before the files move: if a move fails, the files left in incoming/ are
    // recognised as processed on the next run instead of being synced twice.
    const plan = await planMoves(session, folder, namesOf(state.chosen, state.plainDone));
    recordProcessed(options, state, outcome, (name) => `${folder}/${plan.get(name)}`);
    return executeMoves(session, options.settings.incoming, folder, plan);
  }
  return quarantineExport(session, options, state.chosen, state.plainDone, outcome, reason ?? '(no reason given)');
}

/** Records the export's files in the ledger as processed; `movedTo` when where they go is known already. */
export function recordProcessed(options: PutAwayOptions, state: PendingPutAway, outcome: 'succeeded' | 'partial', movedTo?: (name: string) => string): void {
  sourceLedger(state.db).record(
    state.fetched.map((file) => ({
      name: file.name,
      sha256: file.sha256,
      bytes: file.size,
      exportId: state.pulled.id,
      source: options.storage.description,
      outcome,
      processedAt: options.now().toISOString(),
      ...(movedTo && { movedTo: movedTo(file.name) }),
    })),
  );
}

/** Today's archive folder: `archive/<YYYY-MM-DD>` in the drop folder's time zone. */
export function archiveFolder({ settings, timeZone, now }: PutAwayOptions): string {
  return `${settings.archive}/${dayIn(now(), timeZone)}`;
}

/** `plainDone` goes with the synced export only: it marks every export in incoming/, so it moves once. */
export async function archiveExport(session: DropSession, options: DropFolder, folder: string, exported: CompleteExport, plainDone?: DropEntry): Promise<FilePlacement[]> {
  return moveOut(session, options.settings.incoming, folder, namesOf(exported, plainDone));
}

export async function quarantineExport(session: DropSession, options: PutAwayOptions, exported: CompleteExport, plainDone: DropEntry | undefined, outcome: ErrorNote['outcome'], reason: string): Promise<FilePlacement[]> {
  const { storage, settings, now } = options;
  const note: ErrorNote = { outcome, reason, at: now(), source: storage.description, incoming: settings.incoming };
  const dataNames = exported.files.map((file) => file.name);
  const moved = await moveOut(session, settings.incoming, settings.failed, namesOf(exported, plainDone), true);
  for (const file of moved) {
    if (!dataNames.includes(file.name)) continue;
    await session.writeFile(`${file.movedTo}.error.txt`, errorNoteText(note, file.name, exported));
  }
  return moved;
}

/** The export's data files, then its markers (executeMoves keeps this order). */
function namesOf(exported: CompleteExport, plainDone: DropEntry | undefined): string[] {
  const markers = [exported.candidate.manifest?.name, exported.candidate.done?.name, plainDone?.name].filter((name): name is string => name !== undefined);
  return [...exported.files.map((file) => file.name), ...new Set(markers)];
}

/** Target names in `folder` (created if needed) that overwrite nothing; see freeName. */
async function planMoves(session: DropSession, folder: string, names: readonly string[], reserveErrorNotes = false): Promise<Map<string, string>> {
  await session.mkdir(folder);
  const taken = new Set((await session.list(folder))?.map((entry) => entry.name) ?? []);
  return new Map(names.map((name) => [name, freeName(name, taken, reserveErrorNotes)]));
}

/** Moves files out of incoming/ in the plan's order (data first, markers last). */
async function executeMoves(session: DropSession, incoming: string, folder: string, plan: Map<string, string>): Promise<FilePlacement[]> {
  const moved: FilePlacement[] = [];
  for (const [name, target] of plan) {
    await session.rename(`${incoming}/${name}`, `${folder}/${target}`);
    moved.push({ name, movedTo: `${folder}/${target}` });
  }
  return moved;
}

async function moveOut(session: DropSession, incoming: string, folder: string, names: readonly string[], reserveErrorNotes = false): Promise<FilePlacement[]> {
  return executeMoves(session, incoming, folder, await planMoves(session, folder, names, reserveErrorNotes));
}

/** The same name, or `<stem>.2<ext>`, `<stem>.3<ext>`… when taken (also when its `.error.txt` is taken). */
function freeName(name: string, taken: Set<string>, reserveErrorNote: boolean): string {
  const ext = posix.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  const isFree = (candidate: string) => !taken.has(candidate) && !(reserveErrorNote && taken.has(`${candidate}.error.txt`));
  let candidate = name;
  for (let n = 2; !isFree(candidate); n++) candidate = `${stem}.${n}${ext}`;
  taken.add(candidate);
  if (reserveErrorNote) taken.add(`${candidate}.error.txt`);
  return candidate;
}

interface ErrorNote {
  outcome: 'failed' | 'refused' | 'invalid';
  reason: string;
  at: Date;
  source: string;
  incoming: string;
}

function errorNoteText(note: ErrorNote, name: string, chosen: CompleteExport): string {
  const file = chosen.files.find((candidate) => candidate.name === name);
  return [
    'loyalty-sync did not sync this file.',
    '',
    `file:     ${name}${file ? ` (${file.size} bytes)` : ''}`,
    `export:   ${chosen.candidate.key || '(no key)'}: ${chosen.files.map((candidate) => candidate.name).join(', ')}`,
    `outcome:  ${note.outcome}`,
    `reason:   ${redactText(note.reason)}`,
    `when:     ${note.at.toISOString()}`,
    `source:   ${note.source}`,
    '',
    `To try again, fix the cause, then move the export's files back into ${note.incoming}/ together with its`,
    '.done marker or manifest (without one, the files are taken once their sizes hold still).',
    '',
  ].join('\n');
}
