// Delivery: members in parallel (p-limit), each member's events strictly in order, one at a time.
// A member's outcome goes to `settle` (which commits the snapshot for what the API accepted).
import pLimit from 'p-limit';
import type { Action } from '../api/events.ts';
import type { MemberDelivery, MemberFailure, Outbox, OutboxEvent, SendRecord } from '../state/outbox.ts';
import type { EventSender } from './send-event.ts';

export interface MemberOutcome {
  contactId: string;
  /**
   * Events the API accepted in this delivery, in plan order. Events the outbox already marks accepted
   * are skipped: their effect was committed to the snapshot in the same transaction as their status.
   */
  acceptedNow: (OutboxEvent & { body: string })[];
  /** What each event sent this run came to. */
  sent: { eventId: string; record: SendRecord }[];
  /** The plan stopped at a refused or undeliverable event; the rest waits for the next run's plan. */
  failure?: MemberFailure;
  /** The run was interrupted before the plan finished: it stays pending, to be drained next run. */
  interrupted?: boolean;
}

export interface DeliveryTotals {
  members: number;
  membersFailed: number;
  eventsAccepted: number;
  eventsFailed: number;
  acceptedByAction: Partial<Record<Action, number>>;
  retries: number;
}

export interface DeliverOptions {
  outbox: Outbox;
  send: EventSender;
  concurrency: number;
  settle: (outcome: MemberOutcome) => void;
  signal?: AbortSignal;
  /** Members fetched from the outbox per page; the queue is refilled before it runs dry. */
  pageSize?: number;
}

export async function deliverPending(options: DeliverOptions): Promise<DeliveryTotals> {
  const { outbox } = options;
  const pageSize = options.pageSize ?? 256;
  const limit = pLimit(options.concurrency);
  const totals: DeliveryTotals = { members: 0, membersFailed: 0, eventsAccepted: 0, eventsFailed: 0, acceptedByAction: {}, retries: 0 };
  // A fatal error (e.g. the token endpoint refuses our credentials) stops every worker, not just one.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let fatal: unknown;
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
      if (signal.aborted) return;
      const outcome = await deliverMember(member, options.send);
      count(totals, outcome);
      options.settle(outcome);
    } catch (error) {
      fatal ??= error;
      stop.abort();
    } finally {
      memberFinished();
    }
  };

  while (!signal.aborted) {
    const page = outbox.pendingPage(after, pageSize);
    if (page.length === 0) break;
    after = page.at(-1)!.contactId;
    outstanding += page.length;
    for (const member of page) void limit(() => runMember(member));
    // Refill before the queue runs dry, never holding more than about a page and a half.
    while (outstanding - options.concurrency > pageSize / 2) await aMemberFinished();
  }
  while (outstanding > 0) await aMemberFinished();
  if (fatal) throw fatal;
  return totals;
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

async function deliverMember(member: MemberDelivery, send: EventSender): Promise<MemberOutcome> {
  const outcome: MemberOutcome = { contactId: member.contactId, acceptedNow: [], sent: [] };
  for (const event of member.events) {
    // Accepted events are done (and their body is gone): their effect is already in the snapshot.
    if (event.status === 'accepted' || event.body === null) continue;
    const { body } = event;
    const result = await send(body);
    const record: SendRecord = result.accepted
      ? { accepted: true, attempts: result.attempts, httpStatus: result.status }
      : { accepted: false, attempts: result.attempts, httpStatus: result.status, error: result.detail };
    if (result.attempts > 0) outcome.sent.push({ eventId: event.eventId, record });
    if (result.accepted) {
      outcome.acceptedNow.push({ ...event, body });
      continue;
    }
    // The rest of this member's events wait: sending them out of order could undo this one's intent.
    if (result.code === 'RUN_INTERRUPTED') outcome.interrupted = true;
    else outcome.failure = { eventId: event.eventId, action: event.action, status: result.status, code: result.code, detail: result.detail };
    break;
  }
  return outcome;
}
