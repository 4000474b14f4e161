// Facts a state file keeps about itself (the `state_meta` table).
import type { DatabaseSync } from 'node:sqlite';

const EPOCH = 'event-id-epoch';
const MERCHANT = 'event-id-merchant';

/**
 * What a state file adds to every event id it plans (undefined for a plain one, whose ids stay as they
 * always were):
 * - the epoch of a file started over with --new-state. Event ids are derived from each member's commit
 *   count, which a new state file restarts at 0: without an epoch, the new file would plan ids the API
 *   already saw from the lost one, with other bodies (a 409 every night);
 * - the merchant serial number of a fleet's merchant. Two merchants of a partner may hold the same
 *   customer under the same contact id with the same data: without it they would plan the same ids, and
 *   an API that deduplicates across merchants would drop the second one's events as re-sends.
 */
export function eventIdEpoch(db: DatabaseSync): string | undefined {
  const rows = db.prepare('SELECT key, value FROM state_meta WHERE key IN (?, ?)').all(EPOCH, MERCHANT) as { key: string; value: string }[];
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  const parts = [value(EPOCH), value(MERCHANT) && `msn:${value(MERCHANT)}`].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join('\u0000') : undefined;
}

/** Marks the state file as a fleet merchant's (its ids carry the serial number); the first one stays. */
export function scopeEventIdsToMerchant(db: DatabaseSync, merchantSerialNumber: string): void {
  setOnce(db, MERCHANT, merchantSerialNumber);
}

/** Marks the state file as started over; a file that already has an epoch keeps it. */
export function startEventIdEpoch(db: DatabaseSync, epoch: string): void {
  setOnce(db, EPOCH, epoch);
}

function setOnce(db: DatabaseSync, key: string, value: string): void {
  db.prepare('INSERT INTO state_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
}
