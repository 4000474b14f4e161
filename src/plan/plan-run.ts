// Planning for a whole export: walks the merged members, applies the rules per member and the run-wide
// ones (rejected members untouched, deletes only from a complete members export), and hands each plan
// with events to `onPlan`. Pure apart from the callbacks.
import type { Backfill } from '../config/backfill.ts';
import type { PlanTotals } from '../base/run-shapes.ts';
import { hashText } from '../base/canonical.ts';
import { clearedParts } from './guards.ts';
import type { MergedMember, OrphanItem } from './merge.ts';
import { planMemberInDoubt, stateAsIf, type PlanAfterDoubt } from './in-doubt.ts';
import type { MemberPlan } from './plan-member.ts';
import type { PlannedEvent } from '../base/run-shapes.ts';
import type { ExportKind } from '../base/kinds.ts';
import type { ItemEventMode } from '../base/item-events.ts';
import type { MemberState } from '../state/member-state.ts';

export interface RunPlanOptions {
  /** The export's as-of time: every event's `timestamp`. */
  timestamp: string;
  /** What the state file adds to every event id, if anything (src/state/state-meta.ts). */
  epoch?: string;
  /** How coupon and stamp-card changes are sent (`--item-events`). */
  itemEvents?: ItemEventMode;
  /** A member's documents, for snapshot states that hold hashes only (see PlanOptions.documentsOf). */
  documentsOf?: (contactId: string) => MemberState | undefined;
  backfill?: Backfill;
  /** False when the members export cannot be trusted to be complete: nobody is deleted. */
  deletesAllowed: boolean;
  /** The member's events in doubt, oldest first (see in-doubt.ts). */
  doubtsOf?: (contactId: string) => readonly PlannedEvent[] | undefined;
  onPlan: (plan: PlanAfterDoubt) => void;
  /** Item rows whose contact is not in the members export. */
  onOrphan: (item: OrphanItem) => void;
  /** A member left exactly as it is this run, and why. */
  onUntouched?: (entry: MergedMember, cause: UntouchedCause) => void;
  /**
   * The member document the API holds for a contact (read only for members whose document changes).
   * Given, the plan counts what it clears (`cleared`) for the mass-clear guard.
   */
  memberDocOf?: (contactId: string) => string | undefined;
}

/** Why a member is left untouched: a row of its was rejected, item rows name it but it is not in the members file, or it is missing from a members file that cannot be trusted to be complete. */
export type UntouchedCause = 'rejected row' | 'orphan rows' | 'deletes blocked';

const NOTHING: ReadonlySet<ExportKind> = new Set();

export function planRun(merged: Iterable<MergedMember>, options: RunPlanOptions): PlanTotals {
  const totals: PlanTotals = {
    members: { total: 0, new: 0, changed: 0, unchanged: 0, deleted: 0, untouched: 0 },
    events: { planned: 0, byAction: {}, byBasis: {}, bodyBytes: {} },
    knownMembers: 0,
    cleared: {},
    warnings: [],
  };
  const unseen = new Set(options.backfill?.contacts);
  for (const entry of merged) {
    if (entry.next) unseen.delete(entry.contactId);
    const doubts = options.doubtsOf?.(entry.contactId) ?? [];
    // Known to the API as far as we can tell: a registration in doubt counts (the mass-delete guard's denominator).
    const known = stateAsIf(entry.old, doubts);
    const active = known !== undefined && !known.deleted;
    if (active) totals.knownMembers++;
    // Rows of a member whose own row was rejected are not orphans: that member is untouched anyway.
    if (!entry.rejected) for (const orphan of entry.orphans) options.onOrphan(orphan);
    if (!entry.next && !entry.memberRowRejected && !active && doubts.length === 0) continue;
    totals.members.total++;
    // A member with a rejected row (or orphan rows) is left exactly as it is: neither updated nor deleted
    // (events in doubt stay in doubt until the member is planned again).
    const untouched: UntouchedCause | undefined = entry.rejected
      ? 'rejected row'
      : entry.orphans.length > 0
        ? 'orphan rows'
        : !entry.next && !options.deletesAllowed
          ? 'deletes blocked'
          : undefined;
    if (untouched) {
      totals.members.untouched++;
      options.onUntouched?.(entry, untouched);
      continue;
    }
    const backfill = options.backfill;
    const resend = backfill && (!backfill.contacts || backfill.contacts.has(entry.contactId)) ? backfill.parts : NOTHING;
    const plan = planMemberInDoubt(entry.old, doubts, entry.next, {
      timestamp: options.timestamp,
      resend,
      ...(options.epoch && { epoch: options.epoch }),
      ...(options.itemEvents && { itemEvents: options.itemEvents }),
      ...(options.documentsOf && { documentsOf: options.documentsOf }),
    });
    totals.members[plan.change]++;
    if (plan.events.length === 0) continue;
    if (options.memberDocOf && plan.change === 'changed') countCleared(totals.cleared, entry, plan, options.memberDocOf);
    totals.events.planned += plan.events.length;
    for (const event of plan.events) {
      totals.events.byAction[event.action] = (totals.events.byAction[event.action] ?? 0) + 1;
      if (event.basis) {
        const bases = (totals.events.byBasis[event.action] ??= {});
        bases[event.basis] = (bases[event.basis] ?? 0) + 1;
      }
      totals.events.bodyBytes[event.action] = (totals.events.bodyBytes[event.action] ?? 0) + (event.bodyBytes ?? Buffer.byteLength(event.body));
    }
    options.onPlan(plan);
  }
  if (unseen.size > 0) {
    const listed = [...unseen].slice(0, 20).join(', ');
    totals.warnings.push(`--full: ${unseen.size} listed contact(s) are not in the members export and were not resent: ${listed}${unseen.size > 20 ? ', …' : ''}`);
  }
  return totals;
}

function countCleared(cleared: Record<string, number>, entry: MergedMember, plan: MemberPlan, memberDocOf: (contactId: string) => string | undefined): void {
  // A backfill sends `updated` for unchanged members too: only a different document can clear a field.
  const memberChanged = plan.events.some((event) => event.action === 'benefits.member.updated') && hashText(entry.next!.member) !== entry.old!.member?.hash;
  for (const part of clearedParts(entry.old!, memberChanged ? memberDocOf(entry.contactId) : undefined, entry.next!)) cleared[part] = (cleared[part] ?? 0) + 1;
}
