import { hash } from 'node:crypto';
import type { Action } from '../base/actions.ts';

// Fixed namespace for loyalty-sync event ids; changing it would change every id and defeat the API's
// deduplication of re-sends across versions.
export const EVENT_ID_NAMESPACE = 'f3b8c2a4-6f0e-5d8e-9a61-2c1e4b7d9a30';
const NAMESPACE = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');
const NAME_BUFFER = Buffer.alloc(8192);
NAMESPACE.copy(NAME_BUFFER);

export interface Transition {
  contactId: string;
  action: Action;
  itemId?: string;
  /** The member's revision when planned (events applied so far): distinguishes A→B→A→B's two A→B transitions. */
  rev: number;
  hashBefore: string;
  hashAfter: string;
  /** The body's timestamp and payload: everything it says besides its id. */
  timestamp: string;
  payload: string;
  /** Set only in a state file started over with --new-state or a fleet merchant's (src/state/state-meta.ts). */
  epoch?: string;
}

export interface EventId {
  eventId: string;
  /** The payload's size in UTF-8, measured while it was encoded for the hash (see PlannedEvent.bodyBytes). */
  payloadBytes: number;
}

/**
 * Deterministic event id (README "Guarantees": at-least-once with deterministic ids): the same request always gets the same id, so a
 * re-send is deduplicated by the API; and because the body itself is hashed into the id (the UUID is a
 * SHA-1 of the name, which holds the body's content), two different bodies never share an id, so a
 * deduplicating API can never drop a real change as a "duplicate".
 *
 * The name is the transition's fields joined by NUL, the payload last but for the epoch (appended only
 * when set: a state file started over, or a fleet merchant's, plans ids no other state file could have).
 * It is encoded in three writes rather than joined first: the payload's write says its size for free.
 */
export function eventIdOf(transition: Transition): EventId {
  const { payload } = transition;
  const head = `${transition.contactId}\u0000${transition.action}\u0000${transition.itemId ?? ''}\u0000${transition.rev}\u0000${transition.hashBefore}\u0000${transition.hashAfter}\u0000${transition.timestamp}\u0000`;
  const tail = transition.epoch ? `\u0000${transition.epoch}` : '';
  if ((head.length + payload.length + tail.length) * 3 > NAME_BUFFER.length - NAMESPACE.length) {
    return { eventId: `evt-${uuidV5(head + payload + tail)}`, payloadBytes: Buffer.byteLength(payload) };
  }
  let end = NAMESPACE.length + NAME_BUFFER.write(head, NAMESPACE.length, 'utf8');
  const payloadBytes = NAME_BUFFER.write(payload, end, 'utf8');
  end += payloadBytes;
  if (tail) end += NAME_BUFFER.write(tail, end, 'utf8');
  return { eventId: `evt-${uuidOfSha1(hash('sha1', NAME_BUFFER.subarray(0, end), 'hex'))}`, payloadBytes };
}

/**
 * RFC 9562 UUID version 5 (SHA-1 of namespace + name). Written out because it is planned for every
 * event of millions: the `uuid` package encodes the name in JavaScript and builds a Hash object per id,
 * three times slower. Here the name is encoded into a reused buffer behind the namespace and hashed to
 * hex in one native call (a Buffer result costs more than the hash). A test checks it against the `uuid`
 * package.
 */
export function uuidV5(name: string): string {
  const room = NAME_BUFFER.length - NAMESPACE.length;
  // Most names (a member's document, a small set) fit; a longer one (max 3 bytes per UTF-16 unit) takes the slow path.
  return uuidOfSha1(
    name.length * 3 <= room
      ? hash('sha1', NAME_BUFFER.subarray(0, NAMESPACE.length + NAME_BUFFER.write(name, NAMESPACE.length, 'utf8')), 'hex')
      : hash('sha1', Buffer.concat([NAMESPACE, Buffer.from(name, 'utf8')]), 'hex'),
  );
}

/** The UUID of a SHA-1 in hex: byte 6's high nibble is the version (5); byte 8's top two bits are the variant (10). */
function uuidOfSha1(hex: string): string {
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
