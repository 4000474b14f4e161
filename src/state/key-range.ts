// A range of contact ids: a plan lane's share of the members (src/run/plan-lanes.ts). Every ordered
// read of the state and staging files can be limited to one.
import { compareKeys } from '../base/canonical.ts';

/** Contacts from `from` (inclusive) up to `before` (exclusive); an end left out is open. */
export interface KeyRange {
  from?: string;
  before?: string;
}

/** Whether `contactId` is in `range`, in the order SQLite's conditions below compare (compareKeys). */
export function inKeyRange(contactId: string, range: KeyRange): boolean {
  return (range.from === undefined || compareKeys(contactId, range.from) >= 0) && (range.before === undefined || compareKeys(contactId, range.before) < 0);
}

/** SQL conditions on contact_id that keep a query within `range`, and their parameters. */
export function inRange(range: KeyRange = {}): { conditions: string[]; params: string[] } {
  const conditions: string[] = [];
  const params: string[] = [];
  if (range.from !== undefined) {
    conditions.push('contact_id >= ?');
    params.push(range.from);
  }
  if (range.before !== undefined) {
    conditions.push('contact_id < ?');
    params.push(range.before);
  }
  return { conditions, params };
}

/** ` WHERE a AND b`, or nothing for no conditions. */
export function where(conditions: readonly string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}
