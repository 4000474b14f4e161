// Snapshot commit: for each member whose delivery is done, fold the events the API accepted into its snapshot row and
// record their outcome, in one transaction per batch. Event status and snapshot change together, so
// "accepted in the outbox" always means "already in the snapshot". Each transaction first beats the
// run's lock: a run that lost it (fencing, see run-lock.ts) commits nothing.
import type { DatabaseSync } from 'node:sqlite';
import type { LoyaltyEvent } from '../api/events.ts';
import { applyEvents, type MemberState } from './member-state.ts';
import type { MemberFailure, Outbox, OutboxEvent, SendRecord } from './outbox.ts';
import type { RunLock } from './run-lock.ts';
import type { SnapshotStore } from './snapshot.ts';
import { inTransaction } from './store.ts';

export interface Committer {
  add(outcome: MemberOutcome): void;
  /** Commits everything added so far. */
  flush(): void;
}

export interface CommitterOptions {
  db: DatabaseSync;
  snapshot: SnapshotStore;
  outbox: Outbox;
  lock: Pick<RunLock, 'beat'>;
  now: () => Date;
  /** Commit after this many members or this many milliseconds, whichever comes first. */
  batchSize?: number;
  batchMs?: number;
}

export function createCommitter(options: CommitterOptions): Committer {
  const { db, snapshot, outbox } = options;
  const batchSize = options.batchSize ?? 500;
  const batchMs = options.batchMs ?? 200;
  let pending: MemberOutcome[] = [];
  let timer: NodeJS.Timeout | undefined;
  // A failure in a timer-driven flush surfaces at the next add() or flush(), on the run's own path.
  let failure: unknown;

  function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (failure) throw failure;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const at = options.now().toISOString();
    inTransaction(db, () => {
      options.lock.beat();
      // The batch's new member states are saved together: the first sizeable batch builds the documents'
      // compression dictionary (snapshot.ts). A member twice in a batch folds onto its unsaved state.
      const states = new Map<string, MemberState>();
      for (const outcome of batch) commitOne(outcome, at, states);
      snapshot.saveAll([...states.values()]);
    });
  }

  function commitOne(outcome: MemberOutcome, at: string, states: Map<string, MemberState>) {
    let departed = false;
    if (outcome.acceptedNow.length > 0) {
      const events = outcome.acceptedNow.map((event) => JSON.parse(event.body) as LoyaltyEvent);
      const next = applyEvents(states.get(outcome.contactId) ?? snapshot.load(outcome.contactId), events, outcome.resolvedDoubts.length)!;
      states.set(outcome.contactId, next);
      departed = next.deleted;
      // Overridden events in doubt: the snapshot is the same whether or not the API applied them.
      outbox.resolveDoubts(outcome.resolvedDoubts);
    }
    for (const { eventId, record } of outcome.sent) outbox.recordResult(eventId, record, at);
    if (!outcome.interrupted) outbox.closePlan(outcome.contactId, outcome.failure);
    if (departed) outbox.scrubHistory(outcome.contactId);
  }

  return {
    add(outcome) {
      pending.push(outcome);
      if (pending.length >= batchSize) flush();
      else
        timer ??= setTimeout(() => {
          try {
            flush();
          } catch (error) {
            failure = error;
          }
        }, batchMs);
    },
    flush,
  };
}

export interface MemberOutcome {
  contactId: string;
  /**
   * Events the API accepted in this delivery, in plan order. Events the outbox already marks accepted
   * are skipped: their effect was committed to the snapshot in the same transaction as their status.
   */
  acceptedNow: (OutboxEvent & { body: string })[];
  /** What each event sent this run came to. */
  sent: { eventId: string; record: SendRecord }[];
  /** Events in doubt that the events accepted now overrode (see Outbox.resolveDoubts). */
  resolvedDoubts: string[];
  /** The plan stopped at a refused or undeliverable event; the rest waits for the next run's plan. */
  failure?: MemberFailure;
  /** The run was interrupted before the plan finished: it stays pending, to be drained next run. */
  interrupted?: boolean;
}
