// Sending one event until the API accepts it, refuses it, or our patience (attempts, deadline) ends.
// Retries: network errors, 408, 429, 5xx, with exponential backoff and full jitter, honouring
// Retry-After; a 429 pauses every worker, not just the one that saw it. 401 refreshes the token once.
import type { HttpAnswer } from '../api/http.ts';
import { ApiError } from '../errors.ts';
import type { AttemptRecord } from './telemetry.ts';
import { describeErrorBody } from '../api/problem.ts';
import type { TokenCache } from '../api/token-cache.ts';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Epoch ms after which no new attempt starts. */
  deadline?: number;
}

export type SendOutcome =
  | { accepted: true; attempts: number; status: number }
  | {
      accepted: false;
      attempts: number;
      status?: number;
      code: 'API_REJECTED' | 'API_RETRIES_EXHAUSTED' | 'API_DEADLINE' | 'RUN_INTERRUPTED';
      detail: string;
    };

export interface SenderDeps {
  post: (body: string, token: string) => Promise<HttpAnswer>;
  tokens: TokenCache;
  policy: RetryPolicy;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Called before each retry wait (for logs and the report). */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; reason: string }) => void;
  /** Called after every HTTP attempt (telemetry). */
  onAttempt?: (attempt: AttemptRecord) => void;
}

export type EventSender = (body: string) => Promise<SendOutcome>;

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

export function createEventSender(deps: SenderDeps): EventSender {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? abortableSleep;
  const { policy } = deps;
  // Shared by every worker: after a 429 nobody sends until the API's Retry-After has passed.
  let pausedUntil = 0;

  return async function send(body) {
    let refreshedToken = false;
    let last: { status?: number; detail: string } = { detail: 'not sent' };
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const pause = pausedUntil - now();
      if (pause > 0) await sleep(pause, deps.signal);
      if (deps.signal?.aborted) return { accepted: false, attempts: attempt - 1, code: 'RUN_INTERRUPTED', detail: 'run interrupted', status: last.status };
      if (policy.deadline !== undefined && now() >= policy.deadline) {
        return { accepted: false, attempts: attempt - 1, code: 'API_DEADLINE', detail: `run deadline reached; last: ${last.detail}`, status: last.status };
      }
      let answer: HttpAnswer;
      let token: string;
      let sentAt = now();
      try {
        token = await deps.tokens.get();
        sentAt = now();
        answer = await deps.post(body, token);
        deps.onAttempt?.({ startedAt: sentAt, latencyMs: now() - sentAt, status: answer.status });
      } catch (error) {
        // The token endpoint refusing our credentials is fatal for the whole run, not for one event.
        if (error instanceof ApiError) throw error;
        deps.onAttempt?.({ startedAt: sentAt, latencyMs: now() - sentAt });
        last = { detail: `network error: ${(error as Error).message}` };
        if (attempt < policy.maxAttempts) await waitBeforeRetry(attempt, undefined, last.detail);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) return { accepted: true, attempts: attempt, status: answer.status };
      last = { status: answer.status, detail: describeErrorBody(answer.status, answer.text) };
      if (answer.status === 401 && !refreshedToken) {
        refreshedToken = true;
        deps.tokens.invalidate(token);
        continue;
      }
      if (!RETRYABLE_STATUS(answer.status)) {
        return { accepted: false, attempts: attempt, status: answer.status, code: 'API_REJECTED', detail: last.detail };
      }
      const retryAfterMs = parseRetryAfter(answer.retryAfter, now());
      if (answer.status === 429 && retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
      if (attempt < policy.maxAttempts) await waitBeforeRetry(attempt, retryAfterMs, last.detail, answer.status);
    }
    return { accepted: false, attempts: policy.maxAttempts, status: last.status, code: 'API_RETRIES_EXHAUSTED', detail: `gave up after ${policy.maxAttempts} attempts; last: ${last.detail}` };
  };

  async function waitBeforeRetry(attempt: number, retryAfterMs: number | undefined, reason: string, status?: number) {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    // Full jitter spreads the retries of many workers; Retry-After is a floor, never shortened.
    const jitter = random() * ceiling;
    const delayMs = retryAfterMs === undefined ? jitter : retryAfterMs + random() * policy.baseDelayMs;
    deps.onRetry?.({ attempt, delayMs, status, reason });
    await sleep(delayMs, deps.signal);
  }
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP date>` → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
