// The safety guards (design: "Safety guards"): an export that looks like data loss is refused before
// anything is sent, unless the run says --allow-mass-delete. Pure.
import { GuardError } from '../errors.ts';
import type { IngestResult } from '../ingest/ingest-export.ts';
import type { PlanTotals } from './plan-run.ts';

/** An empty members file (or a zero-byte item file) is far more often a failed export than a real one. */
export function refuseEmptyFiles(ingest: IngestResult, allowed: boolean): void {
  if (allowed) return;
  for (const file of ingest.files) {
    if (file.kind === 'members' ? file.rows === 0 : file.bytes === 0) {
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
