// Erasing one member's local traces from a state file (`loyalty-sync forget`): its snapshot row (a
// departed member's tombstone), its documents, its event history and any closed plan. Only for a member
// who left: forgetting one the API still holds would register it again while it is in the export, or
// never delete it once it leaves (see memberStanding).
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './store.ts';

export type MemberStanding =
  /** Nothing about this contact in the state file. */
  | { kind: 'unknown' }
  /** Not a member as far as accepted events tell: its member.deleted was accepted, or it never was registered. */
  | { kind: 'left' }
  /** The API holds it as a member. */
  | { kind: 'active' }
  /** Events are planned for it and not yet all accepted (e.g. it came back and its registration failed). */
  | { kind: 'planned'; runId: string };

export function memberStanding(db: DatabaseSync, contactId: string): MemberStanding {
  const plan = db.prepare('SELECT run_id FROM outbox_members WHERE contact_id = ?').get(contactId) as { run_id: string } | undefined;
  if (plan) return { kind: 'planned', runId: plan.run_id };
  const row = db.prepare('SELECT deleted FROM snapshot WHERE contact_id = ?').get(contactId) as { deleted: number } | undefined;
  if (row) return { kind: row.deleted === 1 ? 'left' : 'active' };
  const history = db.prepare('SELECT 1 FROM outbox_events WHERE contact_id = ? LIMIT 1').get(contactId);
  return history ? { kind: 'left' } : { kind: 'unknown' };
}

export interface Forgotten {
  snapshotRows: number;
  events: number;
}

/** Removes every row about `contactId`, in one transaction; the caller checked its standing. */
export function forgetMember(db: DatabaseSync, contactId: string): Forgotten {
  return inTransaction(db, () => {
    const snapshotRows = Number(db.prepare('DELETE FROM snapshot WHERE contact_id = ?').run(contactId).changes);
    db.prepare('DELETE FROM snapshot_docs WHERE contact_id = ?').run(contactId);
    const events = Number(db.prepare('DELETE FROM outbox_events WHERE contact_id = ?').run(contactId).changes);
    db.prepare('DELETE FROM outbox_members WHERE contact_id = ?').run(contactId);
    return { snapshotRows, events };
  });
}
