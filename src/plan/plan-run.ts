// Planning for a whole export: walks the merged members, applies the rules per member and the run-wide
// ones (rejected members untouched, deletes only from a complete members export), and hands each plan
// with events to `onPlan`. Pure apart from the callbacks.
import type { Action } from '../api/events.ts';
import type { StagedItem } from '../state/staging.ts';
import type { MergedMember } from './merge.ts';
import { planMember, type MemberPlan, type PlanOptions } from './plan-member.ts';

export interface PlanTotals {
  members: { total: number; new: number; changed: number; unchanged: number; deleted: number; untouched: number };
  events: { planned: number; byAction: Partial<Record<Action, number>> };
  /** Active members the snapshot knew before this run (the mass-delete guard's denominator). */
  knownMembers: number;
}

export interface RunPlanOptions extends PlanOptions {
  /** False when the members export cannot be trusted to be complete: nobody is deleted. */
  deletesAllowed: boolean;
  onPlan: (plan: MemberPlan) => void;
  /** Item rows whose contact is not in the members export. */
  onOrphan: (item: StagedItem) => void;
}

export function planRun(merged: Iterable<MergedMember>, options: RunPlanOptions): PlanTotals {
  const totals: PlanTotals = {
    members: { total: 0, new: 0, changed: 0, unchanged: 0, deleted: 0, untouched: 0 },
    events: { planned: 0, byAction: {} },
    knownMembers: 0,
  };
  for (const entry of merged) {
    if (entry.old && !entry.old.deleted) totals.knownMembers++;
    if (entry.next) totals.members.total++;
    // Rows of a member whose own row was rejected are not orphans: that member is untouched anyway.
    if (!entry.rejected) for (const orphan of entry.orphans) options.onOrphan(orphan);
    // A member with a rejected row (or orphan rows) is left exactly as it is: neither updated nor deleted.
    if (entry.rejected || entry.orphans.length > 0) {
      if (entry.next || entry.old) totals.members.untouched++;
      continue;
    }
    if (!entry.next && !options.deletesAllowed) continue;
    const plan = planMember(entry.old, entry.next, options);
    if (!entry.next && plan.change === 'unchanged') continue;
    totals.members[plan.change]++;
    if (plan.events.length === 0) continue;
    totals.events.planned += plan.events.length;
    for (const event of plan.events) totals.events.byAction[event.action] = (totals.events.byAction[event.action] ?? 0) + 1;
    options.onPlan(plan);
  }
  return totals;
}
