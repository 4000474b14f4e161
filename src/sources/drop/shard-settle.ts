// Sharded runs (`--shard i/N`) and one drop folder. Every shard reads the whole export, so no shard may
// put it away on its own: the files stay in incoming/ until every shard has synced them, and nothing is
// moved while any shard is reading. The rule (README "Sharding"):
//
// - Each export has a folder of small marker files, `<shards>/<export id>-<fingerprint>/` (the fingerprint
//   is of the listing: names, sizes, modification times; a re-upload is another export). Only the drop
//   folder is shared by all shards (in Kubernetes each may have its own volume), so the markers live there.
// - A shard registers `shard-i-of-N.reading` before it downloads a byte, then looks for a settle lock: if
//   there is one, the export is being (or was) put away, and the shard withdraws without reading.
// - When it ends it replaces the registration with its outcome: `.done` (succeeded, partial, or processed
//   before), `.failed` (the export is at fault, or a guard refused it: the reason inside, redacted like
//   any output), or nothing (a
//   retry-type failure, a dry run: the shard owes the export another run).
// - Then it settles if it is the last: every shard 0…N-1 has an outcome and none is reading. It takes
//   `settle-<n>.lock` by exclusive create, looks again (a shard may have registered in between: then it
//   backs off, and that shard settles when it ends), and moves the export: to archive/ when every shard
//   is done, to failed/ (with a note naming the shards and their reasons) when any failed. Older exports
//   it supersedes go to archive/ too, unless a shard is reading one. `settled.json` and the lock stay as
//   the export's tombstone (removed with the archive's retention).
//
// Race-free because both sides write before they look: a reader registers then looks for a lock, a
// settler locks then looks for readers; whichever comes second sees the other. A shard killed while
// reading leaves its registration: the export then waits for that shard's next run (its state file's lock
// guarantees one live run per shard). A registration not refreshed for the lock staleness
// (`--lock-stale-seconds`) no longer keeps a superseded export in place, and a settle lock that old
// (its holder was killed) is taken over by the next settle as `settle-<n+1>.lock`.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Shard } from '../../base/shard.ts';
import { redactText } from '../../privacy/redact.ts';
import type { FilePlacement } from '../../base/run-shapes.ts';
import type { CompleteExport } from './newest-export.ts';
import { archiveExport, archiveFolder, quarantineExport, type PutAwayOptions } from './put-away.ts';
import type { DropEntry, DropSession } from './storage.ts';

export interface ShardedDrop extends PutAwayOptions {
  shard: Shard;
  /** A registration or settle lock untouched this long belongs to a process that is gone. */
  staleAfterMs: number;
}

/** What a shard leaves for its export when it ends; `withdrawn`: no outcome, it owes another run. */
export type ShardOutcome = { state: 'done' } | { state: 'failed'; outcome: 'failed' | 'refused' | 'invalid'; reason: string } | { state: 'withdrawn' };

/** The exports a settle may move: the synced one, the ones it supersedes, the plain `.done`. */
export interface SettleTarget {
  chosen: CompleteExport;
  superseded: readonly CompleteExport[];
  plainDone?: DropEntry;
}

export interface Settled {
  placements: FilePlacement[];
  /** Why the export stays in incoming/ (a warning for the report), when it does. */
  waiting?: string;
}

interface MarkerText {
  at: string;
  host: string;
  pid: number;
  outcome?: 'failed' | 'refused' | 'invalid';
  reason?: string;
}

const MARKER = /^shard-(\d+)-of-(\d+)\.(reading|done|failed)$/;
const LOCK = /^settle-(\d+)\.lock$/;
const SETTLED = 'settled.json';

/** `<shards>/<export id>-<first 16 hex of sha256 over the listed files>`. */
export function markerFolderOf(drop: Pick<ShardedDrop, 'settings'>, exported: CompleteExport): string {
  const listing = [...exported.files]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((file) => `${file.name}\u0000${file.size}\u0000${Math.trunc(file.mtimeMs / 1000)}`)
    .join('\n');
  return `${drop.settings.shards}/${exported.id}-${createHash('sha256').update(listing).digest('hex').slice(0, 16)}`;
}

const markerName = ({ index, count }: Shard, state: 'reading' | 'done' | 'failed') => `shard-${index}-of-${count}.${state}`;
const markerText = (drop: ShardedDrop, extra: Partial<MarkerText> = {}) => JSON.stringify({ at: drop.now().toISOString(), host: hostname(), pid: process.pid, ...extra } satisfies MarkerText);

/**
 * Registers this shard as reading `exported`, before anything of it is downloaded. False when the export
 * is being put away or was (a settle lock exists): the shard must not read it.
 */
export async function registerReading(session: DropSession, drop: ShardedDrop, exported: CompleteExport): Promise<boolean> {
  const folder = markerFolderOf(drop, exported);
  await session.mkdir(folder);
  const reading = `${folder}/${markerName(drop.shard, 'reading')}`;
  await session.writeFile(reading, markerText(drop));
  const names = ((await session.list(folder)) ?? []).map((entry) => entry.name);
  if (names.some((name) => LOCK.test(name))) {
    await session.remove(reading);
    return false;
  }
  // A re-run: its earlier outcome no longer stands (removed only now, so a settle that locked first
  // still saw an outcome for this shard and may go ahead).
  for (const state of ['done', 'failed'] as const) await session.remove(`${folder}/${markerName(drop.shard, state)}`);
  return true;
}

/** Keeps the registration fresh while downloading (a registration is stale after the lock staleness). */
export async function refreshReading(session: DropSession, drop: ShardedDrop, exported: CompleteExport): Promise<void> {
  await session.writeFile(`${markerFolderOf(drop, exported)}/${markerName(drop.shard, 'reading')}`, markerText(drop));
}

/** Replaces this shard's registration with its outcome (written first, so the shard is never without either). */
export async function recordShardOutcome(session: DropSession, drop: ShardedDrop, exported: CompleteExport, outcome: ShardOutcome): Promise<void> {
  const folder = markerFolderOf(drop, exported);
  await session.mkdir(folder);
  if (outcome.state === 'done') await session.writeFile(`${folder}/${markerName(drop.shard, 'done')}`, markerText(drop));
  if (outcome.state === 'failed') await session.writeFile(`${folder}/${markerName(drop.shard, 'failed')}`, markerText(drop, { outcome: outcome.outcome, reason: redactText(outcome.reason) }));
  await session.remove(`${folder}/${markerName(drop.shard, 'reading')}`);
}

interface MarkerLook {
  entries: DropEntry[];
  settled: boolean;
  locks: number[];
  /** Shards of this layout without an outcome, or reading again. */
  waitingFor: number[];
  /** Registrations (any layout) not stale: a shard may be downloading right now. */
  freshReaders: string[];
}

async function lookAt(session: DropSession, drop: ShardedDrop, folder: string): Promise<MarkerLook> {
  const entries = (await session.list(folder)) ?? [];
  const { count } = drop.shard;
  const byShard = new Map<number, Set<string>>();
  const freshReaders: string[] = [];
  for (const entry of entries) {
    const match = MARKER.exec(entry.name);
    if (!match) continue;
    const [, index, of, state] = match;
    if (Number(of) === count) byShard.set(Number(index), (byShard.get(Number(index)) ?? new Set()).add(state!));
    if (state === 'reading' && !(await isStale(session, drop, `${folder}/${entry.name}`, entry))) freshReaders.push(entry.name);
  }
  const waitingFor = Array.from({ length: count }, (_, index) => index).filter((index) => {
    const states = byShard.get(index);
    return !states || states.has('reading') || !(states.has('done') || states.has('failed'));
  });
  return {
    entries,
    settled: entries.some((entry) => entry.name === SETTLED),
    locks: entries.flatMap((entry) => LOCK.exec(entry.name)?.[1] ?? []).map(Number),
    waitingFor,
    freshReaders,
  };
}

/** By the time its writer put in it (the server's clock may differ), else by its modification time. */
async function isStale(session: DropSession, drop: ShardedDrop, path: string, entry: DropEntry): Promise<boolean> {
  const text = await session.readText(path).catch(() => undefined);
  let at = entry.mtimeMs;
  try {
    const written = Date.parse((JSON.parse(text ?? '') as MarkerText).at);
    if (Number.isFinite(written)) at = written;
  } catch {
    // Being written right now, or not ours: the modification time will do.
  }
  return drop.now().getTime() - at > drop.staleAfterMs;
}

/**
 * Puts the export away if this shard is the last one to finish (see the top of this file); otherwise
 * leaves everything in place and says what it waits for.
 */
export async function settleIfLast(session: DropSession, drop: ShardedDrop, target: SettleTarget): Promise<Settled> {
  const { chosen } = target;
  const folder = markerFolderOf(drop, chosen);
  const { count } = drop.shard;
  const first = await lookAt(session, drop, folder);
  if (first.settled) return { placements: [] };
  const blocked = blockedBy(first, count);
  if (blocked) return { placements: [], waiting: `export ${chosen.id} stays in ${drop.settings.incoming}/ until ${blocked}; the last shard to finish puts it away` };
  const newest = Math.max(0, ...first.locks);
  if (newest > 0 && !(await isStale(session, drop, `${folder}/settle-${newest}.lock`, first.entries.find((entry) => entry.name === `settle-${newest}.lock`)!))) {
    return { placements: [], waiting: `export ${chosen.id} is being put away by another shard` };
  }
  const lock = `${folder}/settle-${newest + 1}.lock`;
  if (!(await session.createExclusive(lock, markerText(drop)))) return { placements: [], waiting: `export ${chosen.id} is being put away by another shard` };
  const again = await lookAt(session, drop, folder);
  const blockedNow = blockedBy(again, count);
  if (blockedNow || again.settled) {
    await session.remove(lock);
    return { placements: [], ...(blockedNow && { waiting: `export ${chosen.id} stays in ${drop.settings.incoming}/ until ${blockedNow}` }) };
  }

  const failures = await failuresIn(session, folder, again.entries, count);
  const placements =
    failures.length === 0
      ? await archiveExport(session, drop, archiveFolder(drop), chosen, target.plainDone)
      : await quarantineExport(session, drop, chosen, target.plainDone, failures.every((failure) => failure.outcome === 'refused') ? 'refused' : 'failed', failures.map((failure) => failure.line).join('\n          '));
  for (const old of target.superseded) {
    const readers = (await lookAt(session, drop, markerFolderOf(drop, old))).freshReaders;
    if (readers.length === 0) placements.push(...(await archiveExport(session, drop, archiveFolder(drop), old)));
  }
  await session.writeFile(`${folder}/${SETTLED}`, JSON.stringify({ at: drop.now().toISOString(), outcome: failures.length === 0 ? 'archived' : 'failed', shards: count, placements }, null, 2));
  return { placements };
}

function blockedBy(look: MarkerLook, count: number): string | undefined {
  if (look.waitingFor.length > 0) return `shard${look.waitingFor.length > 1 ? 's' : ''} ${look.waitingFor.join(', ')} of ${count} ${look.waitingFor.length > 1 ? 'have' : 'has'} finished with it`;
  if (look.freshReaders.length > 0) return `shards of another layout finished reading it (${look.freshReaders.join(', ')})`;
  return undefined;
}

async function failuresIn(session: DropSession, folder: string, entries: readonly DropEntry[], count: number): Promise<{ outcome: MarkerText['outcome']; line: string }[]> {
  const failures: { outcome: MarkerText['outcome']; line: string }[] = [];
  for (const entry of entries) {
    const match = MARKER.exec(entry.name);
    if (!match || match[3] !== 'failed' || Number(match[2]) !== count) continue;
    let note: Partial<MarkerText> = {};
    try {
      note = JSON.parse((await session.readText(`${folder}/${entry.name}`)) ?? '{}') as MarkerText;
    } catch {
      // A note being rewritten by a re-run: the shard's number is still worth telling.
    }
    failures.push({ outcome: note.outcome, line: `shard ${match[1]}/${count}: ${note.outcome ?? 'failed'}: ${note.reason ?? '(no reason recorded)'}` });
  }
  return failures;
}
