import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard a contact belongs to: the first 4 bytes of SHA-256(contactId as UTF-8), read as an unsigned
 * big-endian integer, modulo the shard count. Stable across versions and machines (README "Sharding").
 */
export function shardOf(contactId: string, count: number): number {
  return createHash('sha256').update(contactId).digest().readUInt32BE(0) % count;
}

/** The rows of one shard (the snapshot of a shard's state file holds only its members, unless N changed). */
export function* onlyInShard<T extends { contactId: string }>(rows: Iterable<T>, inShard: ((contactId: string) => boolean) | undefined): Generator<T> {
  for (const row of rows) if (!inShard || inShard(row.contactId)) yield row;
}

export function shardFilter(shard: Shard | undefined): ((contactId: string) => boolean) | undefined {
  if (!shard || shard.count === 1) return undefined;
  return (contactId) => shardOf(contactId, shard.count) === shard.index;
}
