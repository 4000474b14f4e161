// Retention of a drop folder (storage limitation: an archived export is the whole club's personal data).
// `archive/<YYYY-MM-DD>/` folders older than the retention go by the date in their name: with 30 days,
// today's folder and the 29 before it stay. `failed/` has no dated folders: a data file goes with its
// `<name>.error.txt`, by the newer of their modification times (the note's is when the run gave up on it).
// `shards/<export>/` folders (sharded runs' markers) go when nothing in them changed within the retention.
// Nothing in incoming/ is ever touched, and neither is any other name: only what the job put there.
import type { DropFolderSettings } from '../../config/source-settings.ts';
import { dayIn, daysBefore } from '../../base/time.ts';
import type { DropEntry, DropSession } from './storage.ts';
import type { Pruned } from '../../base/run-shapes.ts';

/** An `archive/` folder of one day's exports. */
export const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const ERROR_NOTE = '.error.txt';

export interface DropRetention {
  olderThanDays: number;
  now: Date;
  timeZone: string;
}

/**
 * Removes expired archive folders and failed entries (paths relative to the drop folder); one that cannot
 * be removed does not stop the others.
 */
export async function pruneDropFolder(session: DropSession, settings: DropFolderSettings, retention: DropRetention): Promise<Pruned> {
  const cutoff = daysBefore(retention.now, retention.olderThanDays);
  const lastExpiredDay = dayIn(cutoff, retention.timeZone);
  const expired: string[] = [];
  for (const entry of (await session.list(settings.archive)) ?? []) {
    if (!entry.isFile && DAY_FOLDER.test(entry.name) && entry.name <= lastExpiredDay) expired.push(`${settings.archive}/${entry.name}`);
  }
  const failed = new Map(((await session.list(settings.failed)) ?? []).filter((entry) => entry.isFile).map((entry) => [entry.name, entry]));
  for (const [name, entry] of failed) {
    if (name.endsWith(ERROR_NOTE) && failed.has(name.slice(0, -ERROR_NOTE.length))) continue;
    const note: DropEntry | undefined = failed.get(`${name}${ERROR_NOTE}`);
    if (Math.max(entry.mtimeMs, note?.mtimeMs ?? 0) > cutoff.getTime()) continue;
    expired.push(`${settings.failed}/${name}`);
    if (note) expired.push(`${settings.failed}/${note.name}`);
  }
  // A sharded export's markers (shard-settle.ts) go once nothing in their folder changed for as long.
  for (const entry of (await session.list(settings.shards)) ?? []) {
    if (entry.isFile) continue;
    const markers = (await session.list(`${settings.shards}/${entry.name}`)) ?? [];
    if (Math.max(entry.mtimeMs, ...markers.map((marker) => marker.mtimeMs)) <= cutoff.getTime()) expired.push(`${settings.shards}/${entry.name}`);
  }
  const pruned: Pruned = { removed: [], problems: [] };
  for (const path of expired) {
    try {
      await session.remove(path);
      pruned.removed.push(path);
    } catch (error) {
      pruned.problems.push(`${path}: ${(error as Error).message}`);
    }
  }
  return pruned;
}
