// How the outbox stores an event's id, action, status, basis and times (schema version 5): small
// numbers and 16 bytes instead of text. The history of a 1M-member club holds ~3M events after a first
// night; each byte saved per event is 3 MB. The code lists are stored as indexes: append, never reorder.
import { ACTIONS, type Action } from '../base/actions.ts';
import { SET_EVENT_BASES, type SetEventBasis } from '../base/item-events.ts';

/** The actions as numbered in the state file (schema version 5 on): their order in ACTIONS. */
export const STORED_ACTIONS: readonly Action[] = ACTIONS;
const ACTION_CODES = new Map(STORED_ACTIONS.map((action, code) => [action, code]));

/** An event's outcome as the outbox records it. */
export type EventStatus = 'pending' | 'accepted' | 'failed';

export const STORED_STATUSES: readonly EventStatus[] = ['pending', 'accepted', 'failed'];
export const STATUS_CODE: Readonly<Record<EventStatus, number>> = { pending: 0, accepted: 1, failed: 2 };

export function actionCode(action: Action): number {
  const code = ACTION_CODES.get(action);
  if (code === undefined) throw new Error(`no stored code for action ${action}`);
  return code;
}

export function actionOfCode(code: number): Action {
  return STORED_ACTIONS[code] ?? (`unknown action ${code}` as Action);
}

export function basisCode(basis: SetEventBasis | undefined): number | null {
  return basis === undefined ? null : SET_EVENT_BASES.indexOf(basis);
}

export function basisOfCode(code: number | null): SetEventBasis | undefined {
  return code === null ? undefined : SET_EVENT_BASES[code];
}

const UUID_ID = /^evt-([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;

/** An event id as stored: the 16 bytes of the UUID in `evt-<uuid>` (our ids), any other id as text. */
export function eventKey(eventId: string): Uint8Array | string {
  const match = UUID_ID.exec(eventId);
  return match ? Buffer.from(match.slice(1).join(''), 'hex') : eventId;
}

export function eventIdOfKey(key: Uint8Array | string): string {
  if (typeof key === 'string') return key;
  const hex = Buffer.from(key).toString('hex');
  return `evt-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Times are stored as milliseconds since 1970. */
export const storedTime = (iso: string): number => Date.parse(iso);
export const timeOfStored = (ms: number): string => new Date(ms).toISOString();

/** SQL turning a text event id into its stored key, as `eventKey` does (for ids kept as text: a plan's JSON). */
export function eventKeySql(column: string): string {
  const hex = `unhex(replace(substr(${column}, 5), '-', ''))`;
  return `CASE WHEN ${column} GLOB 'evt-????????-????-????-????-????????????' AND ${column} = lower(${column}) AND length(${hex}) = 16 THEN ${hex} ELSE ${column} END`;
}
