// Facts a state file keeps about itself (the `state_meta` table).
import type { DatabaseSync } from 'node:sqlite';

const EPOCH = 'event-id-epoch';

/**
 * The event-id epoch of a state file started over with --new-state (undefined for any other). Event ids
 * are derived from each member's commit count, which a new state file restarts at 0: without an epoch, the
 * new file would plan ids the API already saw from the lost one, with other bodies (a 409 every night).
 */
export function eventIdEpoch(db: DatabaseSync): string | undefined {
  const row = db.prepare('SELECT value FROM state_meta WHERE key = ?').get(EPOCH) as { value: string } | undefined;
  return row?.value;
}

/** Marks the state file as started over; a file that already has an epoch keeps it. */
export function startEventIdEpoch(db: DatabaseSync, epoch: string): string {
  db.prepare('INSERT INTO state_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(EPOCH, epoch);
  return eventIdEpoch(db)!;
}
