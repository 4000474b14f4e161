// The delivery stage of a run: what the outbox holds, sent member by member; each member's outcome is
// committed as it comes (src/state/commit.ts), and what failed is counted for the report.
import { StateError } from '../errors.ts';
import type { Concurrency } from '../deliver/concurrency.ts';
import { deliverPending } from '../deliver/deliver.ts';
import type { MemberOutcome } from '../state/commit.ts';
import { knownStateError } from '../state/store.ts';
import type { DeliveryProgress } from '../report/progress.ts';
import type { RunContext } from './run-context.ts';
import { MAX_LISTED_FAILURES, type DeliveryFacts } from './stage-facts.ts';

/** `drain`: the plans an earlier run left; `deliver`: tonight's plan. */
export type DeliveryPhase = 'drain' | 'deliver';

export async function deliverOutbox(run: RunContext, phase: DeliveryPhase): Promise<DeliveryFacts> {
  const facts: DeliveryFacts = { membersFailed: 0, failures: [], failedByChange: { new: 0, changed: 0, deleted: 0 } };
  const progress: DeliveryProgress = { membersDone: 0, membersTotal: run.outbox.pendingMemberCount(), eventsAccepted: 0, failed: 0 };
  let concurrency: Concurrency | undefined;
  const memberDone = (outcome: MemberOutcome) => {
    commit(run, () => run.committer.add(outcome));
    progress.membersDone++;
    progress.eventsAccepted += outcome.acceptedNow.length;
    if (outcome.failure) progress.failed++;
    if (concurrency) progress.concurrency = { limit: concurrency.limit, inFlight: concurrency.inFlight };
    run.progress?.deliver(progress);
    if (!outcome.failure) return;
    facts.membersFailed++;
    // A failed member of an earlier run's plan is planned again tonight and counted there.
    if (phase === 'deliver') facts.failedByChange[plannedChangeOf(outcome)]++;
    if (facts.failures.length < MAX_LISTED_FAILURES) facts.failures.push({ contactId: outcome.contactId, ...outcome.failure });
    run.logger.warn({ stage: 'deliver', contactId: outcome.contactId, ...outcome.failure }, 'member not delivered');
  };
  try {
    const sender = await run.sender.open();
    concurrency = sender.concurrency;
    try {
      facts.totals = await deliverPending({
        outbox: run.outbox,
        send: sender.send,
        concurrency,
        maxFailuresInARow: run.config.maxFailuresInARow,
        onMemberDone: memberDone,
        ...(run.signal && { signal: run.signal }),
      });
    } finally {
      commitDelivered(run);
    }
  } catch (error) {
    delete facts.totals;
    facts.stoppedBy = error;
  }
  return facts;
}

/** The outbox keeps done-with events for --history-days (for `explain`), then forgets them. */
export function pruneOutboxHistory(run: RunContext): void {
  const pruned = run.outbox.prune(new Date(run.startedAt.getTime() - run.config.historyDays * 86_400_000).toISOString());
  if (pruned > 0) run.logger.info({ stage: 'deliver', pruned }, 'pruned old events from the outbox');
}

/** Commits every delivered member not committed yet; a failure is a coded state error. */
export function commitDelivered(run: RunContext): void {
  commit(run, () => run.committer.flush());
}

function commit(run: RunContext, work: () => void): void {
  try {
    work();
  } catch (error) {
    throw commitFailure(run.store.path, error);
  }
}

/** A commit that failed on the state file, as a coded error naming it; anything else (a bug) as it is. */
function commitFailure(path: string, error: unknown): unknown {
  const doing = 'could not commit delivered members';
  const known = knownStateError(error, path, doing);
  if (known || (error as { code?: unknown } | undefined)?.code !== 'ERR_SQLITE_ERROR') return known ?? error;
  return new StateError('STATE_CORRUPT', `state file ${path} ${doing}: ${(error as Error).message}`, { cause: error });
}

/** What tonight's plan did with a member whose delivery failed: its first event tells (plan-member.ts). */
function plannedChangeOf(outcome: MemberOutcome): 'new' | 'changed' | 'deleted' {
  const first = outcome.acceptedNow[0]?.action ?? outcome.failure?.action;
  return first === 'benefits.member.registered' ? 'new' : first === 'benefits.member.deleted' ? 'deleted' : 'changed';
}
