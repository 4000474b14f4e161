import { hash } from 'node:crypto';
import type { Action } from '../api/events.ts';

// Fixed namespace for loyalty-sync event ids; changing it would change every id and defeat the API's
// deduplication of re-sends across versions.
export const EVENT_ID_NAMESPACE = 'f3b8c2a4-6f0e-5d8e-9a61-2c1e4b7d9a30';
const NAMESPACE = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

export interface Transition {
  contactId: string;
  action: Action;
  itemId?: string;
  /** The member's commit count when planned: distinguishes A→B→A→B's two A→B transitions. */
  rev: number;
  hashBefore: string;
  hashAfter: string;
}

/**
 * Deterministic event id (design: delivery semantics): the same transition from the same committed
 * state always gets the same id, so a re-send after a crash is deduplicated by the API.
 */
export function eventIdOf(transition: Transition): string {
  const name = [transition.contactId, transition.action, transition.itemId ?? '', transition.rev, transition.hashBefore, transition.hashAfter].join('\u0000');
  return `evt-${uuidV5(name)}`;
}

/**
 * RFC 9562 UUID version 5 (SHA-1 of namespace + name). Written out because it is planned for every
 * event of millions: the `uuid` package encodes the name in JavaScript and builds a Hash object per id,
 * three times slower than one native one-shot hash. A test checks it against the `uuid` package.
 */
export function uuidV5(name: string): string {
  const bytes = hash('sha1', Buffer.concat([NAMESPACE, Buffer.from(name, 'utf8')]), 'buffer');
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

