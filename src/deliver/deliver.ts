// Delivery: members in parallel (concurrency.ts: p-limit, fixed or adaptive), each member's events
// strictly in order, one at a time. A member's outcome goes to `onMemberDone` (which commits the snapshot
// for what the API accepted). At the run's deadline no member is started and no request is sent any
// more: what is not delivered stays in the outbox, as after an interruption, and the next run sends it
// first.
import type { MemberOutcome } from '../state/commit.ts';
import type { DeliveryTotals } from '../base/run-shapes.ts';
import type { MemberDelivery, Outbox, SendRecord } from '../state/outbox.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import type { Concurrency } from './concurrency.ts';
import type { EventSender } from './send-event.ts';

export interface DeliverOptions {
  outbox: Outbox;
  send: EventSender;
  concurrency: Concurrency;
  onMemberDone: (outcome: MemberOutcome) => void;
  /** Members in a row that could not be delivered before the run stops (see circuit-breaker.ts). */
  maxFailuresInARow: number;
  signal?: AbortSignal;
  /** Members fetched from the outbox per page; the queue is refilled before it runs dry. */
  pageSize?: number;
}

export async function deliverPending(options: DeliverOptions): Promise<DeliveryTotals> {
  const { outbox } = options;
  const pageSize = options.pageSize ?? 256;
  const { concurrency } = options;
  const breaker = createCircuitBreaker(options.maxFailuresInARow);
  const totals: DeliveryTotals = { members: 0, membersFailed: 0, eventsAccepted: 0, eventsFailed: 0, acceptedByAction: {}, retries: 0 };
  // A fatal error (the token endpoint refuses our credentials, the API is unreachable, the circuit
  // breaker opened, the lock was lost) stops every worker: members in flight stop at their next attempt.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let fatal: unknown;
  const stopAll = (error: unknown) => {
    fatal ??= error;
    stop.abort();
  };
  let deadlineReached = false;
  let after = '';
  // The page loop sleeps until a member finishes (one waiter, not a race over every task: that would
  // cost a promise reaction per queued task per finished member).
  let wake: (() => void) | undefined;
  let outstanding = 0;
  const memberFinished = () => {
    outstanding--;
    wake?.();
    wake = undefined;
  };
  const aMemberFinished = () => new Promise<void>((resolve) => (wake = resolve));

  const runMember = async (member: MemberDelivery) => {
    try {
      if (signal.aborted || deadlineReached) return;
      const { outcome, error, atDeadline } = await deliverMember(member, options.send, signal);
      if (atDeadline) deadlineReached = true;
      count(totals, outcome);
      // What was accepted before a fatal error is committed like any other outcome.
      options.onMemberDone(outcome);
      if (error) stopAll(error);
      const opened = breaker.record(outcome);
      if (opened) stopAll(opened);
    } catch (error) {
      stopAll(error);
    } finally {
      memberFinished();
    }
  };

  while (!signal.aborted && !deadlineReached) {
    const page = outbox.pendingPage(after, pageSize);
    if (page.length === 0) break;
    after = page.at(-1)!.contactId;
    outstanding += page.length;
    for (const member of page) void concurrency.run(() => runMember(member));
    // Refill before the queue runs dry, never holding more than about a page and a half.
    while (outstanding - concurrency.limit > pageSize / 2) await aMemberFinished();
  }
  while (outstanding > 0) await aMemberFinished();
  if (fatal) throw fatal;
  return deadlineReached ? { ...totals, stoppedAtDeadline: true } : totals;
}

function count(totals: DeliveryTotals, outcome: MemberOutcome): void {
  totals.members++;
  for (const { record } of outcome.sent) {
    totals.retries += Math.max(0, record.attempts - 1);
    if (!record.accepted) totals.eventsFailed++;
  }
  for (const event of outcome.acceptedNow) {
    totals.eventsAccepted++;
    totals.acceptedByAction[event.action] = (totals.acceptedByAction[event.action] ?? 0) + 1;
  }
  if (outcome.failure) totals.membersFailed++;
}

async function deliverMember(member: MemberDelivery, send: EventSender, signal: AbortSignal): Promise<{ outcome: MemberOutcome; error?: unknown; atDeadline?: boolean }> {
  const outcome: MemberOutcome = { contactId: member.contactId, acceptedNow: [], sent: [], resolvedDoubts: [] };
  for (const event of member.events) {
    // Accepted events are done (and their body is gone): their effect is already in the snapshot.
    if (event.status === 'accepted' || event.body === null) continue;
    const { body } = event;
    let result;
    try {
      result = await send({ eventId: event.eventId, body }, signal);
    } catch (error) {
      // Fatal for the run: this member's plan stays pending, as if interrupted.
      outcome.interrupted = true;
      return { outcome, error };
    }
    const record: SendRecord = result.accepted
      ? { accepted: true, attempts: result.attempts, httpStatus: result.status }
      : { accepted: false, attempts: result.attempts, httpStatus: result.status, error: result.detail, outcome: result.outcome };
    if (result.attempts > 0) outcome.sent.push({ eventId: event.eventId, record });
    if (result.accepted) {
      outcome.acceptedNow.push({ ...event, body });
      outcome.resolvedDoubts.push(...(member.resolves[event.eventId] ?? []));
      continue;
    }
    // The rest of this member's events wait: sending them out of order could undo this one's intent.
    // Stopped by a signal or the deadline, its plan stays pending as it is (the next run drains it).
    if (result.code === 'RUN_INTERRUPTED' || result.code === 'API_DEADLINE') {
      outcome.interrupted = true;
      return { outcome, atDeadline: result.code === 'API_DEADLINE' };
    }
    outcome.failure = { eventId: event.eventId, action: event.action, status: result.status, code: result.code, detail: result.detail };
    break;
  }
  return { outcome };
}
