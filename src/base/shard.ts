import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard a key belongs to (a contact's id, or in a fleet a merchant's): the first 4 bytes of
 * SHA-256(key as UTF-8), read as an unsigned big-endian integer, modulo the shard count. Stable across
 * versions and machines (README "Sharding").
 */
export function shardOf(key: string, count: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
}

/** The rows of one shard (the snapshot of a shard's state file holds only its members, unless N changed). */
export function* onlyInShard<T extends { contactId: string }>(rows: Iterable<T>, inShard: ((contactId: string) => boolean) | undefined): Generator<T> {
  for (const row of rows) if (!inShard || inShard(row.contactId)) yield row;
}

export function shardFilter(shard: Shard | undefined): ((contactId: string) => boolean) | undefined {
  if (!shard || shard.count === 1) return undefined;
  return (contactId) => shardOf(contactId, shard.count) === shard.index;
}
