// The safety guards (README "What happens when things fail"): an export that looks like data loss is refused before
// anything is sent, unless the run says --allow-mass-delete (or --allow-mass-clear). Pure.
import type { Member } from '../api/events.ts';
import { GuardError } from '../errors.ts';
import type { IngestResult } from '../base/export-shapes.ts';
import { EMPTY_SET, type MemberState } from '../state/member-state.ts';
import type { ExportedMember } from './plan-member.ts';
import type { PlanTotals } from '../base/run-shapes.ts';

/**
 * An empty members file (no rows, or not even a header), or an item file without a header, is far more
 * often a failed export than a real one.
 */
export function refuseEmptyFiles(ingest: IngestResult, allowed: boolean): void {
  if (allowed) return;
  for (const file of ingest.files) {
    if (file.kind === 'members' ? file.rows === 0 : file.columns === undefined) {
      throw new GuardError('GUARD_EMPTY_FILE', `${file.name} is empty; refusing a run that would treat every member as gone (override with --allow-mass-delete)`);
    }
  }
}

/** Files must not shrink far below the same kind's row count in the last successful run. */
export function refuseTruncatedFiles(ingest: IngestResult, lastRows: Record<string, number> | undefined, minPercent: number, allowed: boolean): void {
  if (allowed || !lastRows) return;
  for (const file of ingest.files) {
    const before = lastRows[file.kind] ?? 0;
    // Small files swing a lot from night to night; the guard is for exports of some size.
    if (before < 10 || file.rows * 100 >= before * minPercent) continue;
    throw new GuardError(
      'GUARD_TRUNCATED_FILE',
      `${file.name} has ${file.rows} rows, ${((file.rows / before) * 100).toFixed(1)}% of the ${before} in the last successful run (minimum ${minPercent}%); is the export truncated? (override with --allow-mass-delete or --min-rows-percent)`,
    );
  }
}

export function refuseMassDelete(plan: PlanTotals, maxPercent: number, allowed: boolean): void {
  if (allowed || plan.members.deleted === 0) return;
  const percent = (plan.members.deleted / Math.max(plan.knownMembers, 1)) * 100;
  if (percent > maxPercent) {
    throw new GuardError(
      'GUARD_MASS_DELETE',
      `the export would delete ${plan.members.deleted} of ${plan.knownMembers} known members (${percent.toFixed(1)}% > ${maxPercent}%); nothing was sent (override with --allow-mass-delete)`,
    );
  }
}

/** Member fields a run can clear, by the column that fills them. */
const MEMBER_FIELDS: readonly [column: string, valueOf: (member: Member) => unknown][] = [
  ['joined_on', (member) => member.joinedOn],
  ['bonus_points', (member) => member.bonusPoints],
  ['tier', (member) => member.tier],
  ['accepts_email', (member) => member.communicationPreferences?.acceptsEmail],
  ['accepts_sms', (member) => member.communicationPreferences?.acceptsSms],
  ['accepts_postal', (member) => member.communicationPreferences?.acceptsPostal],
];

const SETS = [
  ['coupons', 'coupons'],
  ['stamp cards', 'stampCards'],
  ['bonus checks', 'bonusChecks'],
] as const;

/**
 * What tonight's export takes away from a member the API knows: member fields that had a value and have
 * none now, and sets that had items and are empty now. `oldMember` is the member document the API holds,
 * given only when tonight's member document differs from it.
 */
export function clearedParts(old: MemberState, oldMember: string | undefined, next: ExportedMember): string[] {
  const cleared: string[] = [];
  if (oldMember !== undefined) {
    const before = JSON.parse(oldMember) as Member;
    const after = JSON.parse(next.member) as Member;
    for (const [column, valueOf] of MEMBER_FIELDS) if (valueOf(before) !== undefined && valueOf(after) === undefined) cleared.push(column);
  }
  for (const [name, kind] of SETS) {
    const now = next[kind];
    if (now !== undefined && now.length === 0 && old[kind].hash !== EMPTY_SET.hash) cleared.push(`${name} (all)`);
  }
  return cleared;
}

/**
 * A field cleared, or a set emptied, for many members at once is far more often a broken export (a column
 * renamed, a file cut short) than a real change. Adding is never refused.
 */
export function refuseMassClear(plan: PlanTotals, maxPercent: number, allowed: boolean): void {
  if (allowed || plan.knownMembers === 0) return;
  const over = Object.entries(plan.cleared)
    .map(([part, count]) => ({ part, count, percent: (count / plan.knownMembers) * 100 }))
    .filter((entry) => entry.percent > maxPercent)
    .sort((a, b) => b.count - a.count);
  if (over.length === 0) return;
  const details = over.map(({ part, count, percent }) => `${part}: ${count} of ${plan.knownMembers} known members would lose it (${percent.toFixed(1)}% > ${maxPercent}%)`);
  throw new GuardError(
    'GUARD_MASS_CLEAR',
    `the export would clear values for many members at once (${details.join('; ')}); nothing was sent. Is a column missing, renamed or empty? (override with --allow-mass-clear or --max-clear-percent)`,
    details,
  );
}
