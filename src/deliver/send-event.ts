// Sending one event until the API accepts it, refuses it, or our patience (attempts, deadline) ends.
// Retries: network errors, 408, 429, 5xx, with exponential backoff and full jitter, honouring
// Retry-After; a 429 pauses every worker, not just the one that saw it. 401 refreshes the token once.
// With --max-rate, every attempt first waits for its turn (rate-cap.ts).
//
// "Accepted" is only the documented answer, a 2xx with `{"status":"accepted","eventId":<the id>}`. When
// no attempt was accepted, the outcome says whether the API may still have applied the event: an answer
// lost after the request went out (a reset, a timeout), a gateway that lost the service's answer
// (502, 504) or a 2xx that is not the acceptance leave it unknown, and the next run must send the very
// same request again before planning anything new for the member (README "Guarantees").
import { failedToConnect, type HttpAnswer, isAcceptance } from '../api/http.ts';
import { describeErrorBody } from '../api/problem.ts';
import type { TokenCache } from '../api/token-cache.ts';
import { isSyncError } from '../errors.ts';
import type { ApiHealth } from './api-health.ts';
import type { RateCap } from './rate-cap.ts';
import { abortableSleep, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './backoff.ts';
import type { AttemptRecord } from './telemetry.ts';

export type { RetryPolicy } from './backoff.ts';

/**
 * What a failed send says about the event's effect:
 * - `refused`: the API refused these bytes for good (a 4xx about the event): not applied, ever;
 * - `unknown`: an attempt may have been applied (see above): it is "in doubt";
 * - `not-delivered`: no attempt of this send reached the service in a way that could apply it.
 */
export type Outcome = 'refused' | 'unknown' | 'not-delivered';

export type SendOutcome =
  | { accepted: true; attempts: number; status: number }
  | {
      accepted: false;
      attempts: number;
      status?: number;
      code: 'API_REJECTED' | 'API_RETRIES_EXHAUSTED' | 'API_DEADLINE' | 'RUN_INTERRUPTED';
      detail: string;
      outcome: Outcome;
    };

export interface SenderDeps {
  post: (body: string, token: string) => Promise<HttpAnswer>;
  tokens: TokenCache;
  policy: RetryPolicy;
  health?: ApiHealth;
  /** `--max-rate`: shared by every worker; each attempt waits for its turn. */
  rateCap?: RateCap;
  /** Throws when this run may no longer send (it lost its lock); called before every attempt. */
  checkBeforeSend?: () => void;
  /** A fleet's cap on requests in flight (shared-delivery.ts): each attempt waits for a place; its latency counts from there. */
  requestSlot?: <T>(send: () => Promise<T>) => Promise<T>;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Called before each retry wait (for logs and the report). */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; reason: string }) => void;
  /** Called after every HTTP attempt (telemetry). */
  onAttempt?: (attempt: AttemptRecord) => void;
}

/** Sends one event (its id is needed to recognise the acceptance); `signal` stops retrying early. */
export type EventSender = (event: { eventId: string; body: string }, signal?: AbortSignal) => Promise<SendOutcome>;

/** A gateway that could not get the service's answer: the service may have applied the event. */
const ANSWER_LOST = (status: number) => status === 502 || status === 504;
/** Refused by the gateway before the service saw the event: says nothing about earlier attempts. */
const GATEWAY_REFUSAL = (status: number) => status === 401 || status === 403;

export function createEventSender(deps: SenderDeps): EventSender {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? abortableSleep;
  const { policy } = deps;
  const slot = deps.requestSlot ?? ((send) => send());
  // Shared by every worker: after a 429 nobody sends until the API's Retry-After has passed.
  let pausedUntil = 0;

  return async function send({ eventId, body }, callSignal) {
    const signal = callSignal ?? deps.signal;
    let refreshedToken = false;
    let maybeApplied = false;
    let last: { status?: number; detail: string } = { detail: 'not sent' };
    const failed = (code: Exclude<SendOutcome, { accepted: true }>['code'], attempts: number, detail: string): SendOutcome => {
      const outcome: Outcome = maybeApplied ? 'unknown' : 'not-delivered';
      const doubt = maybeApplied ? '; the API may have applied it: the next run sends this same request again first' : '';
      return { accepted: false, attempts, status: last.status, code, detail: `${detail}${doubt}`, outcome };
    };
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      // The rate's turn first: a 429 that paused everyone meanwhile is still waited out below.
      await deps.rateCap?.wait(signal);
      const pause = pausedUntil - now();
      if (pause > 0) await sleep(pause, signal);
      if (signal?.aborted) return failed('RUN_INTERRUPTED', attempt - 1, 'run interrupted');
      if (policy.deadline !== undefined && now() >= policy.deadline) return failed('API_DEADLINE', attempt - 1, `run deadline reached; last: ${last.detail}`);
      let token: string;
      try {
        token = await deps.tokens.get();
      } catch (error) {
        if (signal?.aborted) return failed('RUN_INTERRUPTED', attempt - 1, 'run interrupted');
        throw error; // the token endpoint gave up or refused our credentials: fatal for the whole run
      }
      let sentAt = now();
      // The lock is checked once the request has its place under a fleet's cap, right before it goes (a
      // wait for a place must not outlast the lock); what the check throws ends the send, unlike a failed post.
      const posted = await slot(async () => {
        deps.checkBeforeSend?.();
        sentAt = now();
        try {
          return { answer: await deps.post(body, token) };
        } catch (error) {
          return { error };
        }
      });
      if ('error' in posted) {
        const { error } = posted;
        if (isSyncError(error)) throw error;
        deps.onAttempt?.({ startedAt: sentAt, latencyMs: now() - sentAt, accepted: false });
        if (failedToConnect(error)) deps.health?.couldNotConnect(error);
        else maybeApplied = true;
        last = { detail: `network error: ${(error as Error).message}` };
        await waitBeforeRetry(attempt, undefined, last.detail, signal);
        continue;
      }
      const { answer } = posted;
      deps.health?.answered();
      const accepted = answer.status >= 200 && answer.status < 300 && isAcceptance(answer.text, eventId);
      deps.onAttempt?.({ startedAt: sentAt, latencyMs: now() - sentAt, status: answer.status, accepted });
      if (accepted) return { accepted: true, attempts: attempt, status: answer.status };
      if (answer.status >= 200 && answer.status < 300) {
        maybeApplied = true;
        last = { status: answer.status, detail: `${describeErrorBody(answer.status, answer.text)} (not the accepted answer)` };
        await waitBeforeRetry(attempt, undefined, last.detail, signal, answer.status);
        continue;
      }
      last = { status: answer.status, detail: describeErrorBody(answer.status, answer.text) };
      if (answer.status === 401 && !refreshedToken) {
        refreshedToken = true;
        deps.tokens.invalidate(token);
        continue;
      }
      if (!isRetryableStatus(answer.status)) {
        // The service itself refused these bytes: an earlier attempt cannot have been applied either.
        if (!GATEWAY_REFUSAL(answer.status)) return { accepted: false, attempts: attempt, status: answer.status, code: 'API_REJECTED', detail: last.detail, outcome: 'refused' };
        return failed('API_REJECTED', attempt, last.detail);
      }
      if (ANSWER_LOST(answer.status)) maybeApplied = true;
      const retryAfterMs = parseRetryAfter(answer.retryAfter, now());
      if (answer.status === 429 && retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
      await waitBeforeRetry(attempt, retryAfterMs, last.detail, signal, answer.status);
    }
    return failed('API_RETRIES_EXHAUSTED', policy.maxAttempts, `gave up after ${policy.maxAttempts} attempts; last: ${last.detail}`);
  };

  async function waitBeforeRetry(attempt: number, retryAfterMs: number | undefined, reason: string, signal: AbortSignal | undefined, status?: number) {
    if (attempt >= policy.maxAttempts) return;
    const delayMs = backoffDelay(policy, attempt, retryAfterMs, random);
    deps.onRetry?.({ attempt, delayMs, status, reason });
    await sleep(delayMs, signal);
  }
}
