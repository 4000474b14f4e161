import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { Action } from '../api/events.ts';

// Fixed namespace for loyalty-sync event ids; changing it would change every id and defeat the API's
// deduplication of re-sends across versions.
const NAMESPACE = parseUuid('f3b8c2a4-6f0e-5d8e-9a61-2c1e4b7d9a30');

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
  // Bytes in, not strings: uuid would parse the namespace and encode the name in JS on every call.
  return `evt-${uuidv5(Buffer.from(name, 'utf8'), NAMESPACE)}`;
}
