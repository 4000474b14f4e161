// Fetching an access token, retried like events: network errors, 408, 429 and 5xx wait (full jitter,
// never shorter than Retry-After) and try again; any other refusal (400, 401, 403, …) is the
// credentials' or the URL's fault and stops the run, as does a token endpoint that keeps failing.
import { failedToConnect, type HttpAnswer, parseAccessToken } from '../api/http.ts';
import { describeErrorBody } from '../api/problem.ts';
import { ApiError } from '../errors.ts';
import type { ApiHealth } from './api-health.ts';
import { abortableSleep, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './backoff.ts';

export interface TokenFetcherDeps {
  request: () => Promise<HttpAnswer>;
  policy: RetryPolicy;
  health?: ApiHealth;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; status?: number; reason: string }) => void;
}

export type TokenFetcher = () => Promise<{ token: string; expiresAt: number }>;

export function createTokenFetcher(deps: TokenFetcherDeps): TokenFetcher {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? abortableSleep;
  const { policy } = deps;

  return async function fetchToken() {
    let last = 'not sent';
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      if (attempt > 1 && deps.signal?.aborted) break;
      let answer: HttpAnswer;
      let retryAfterMs: number | undefined;
      try {
        answer = await deps.request();
      } catch (error) {
        if (failedToConnect(error)) deps.health?.couldNotConnect(error);
        last = `network error: ${(error as Error).message}`;
        await waitBeforeRetry(attempt, undefined, last);
        continue;
      }
      deps.health?.answered();
      if (answer.status === 200) {
        try {
          return parseAccessToken(answer, now());
        } catch (error) {
          // A 200 that is not a token (a proxy's page, a cut answer) is the endpoint's problem: retried.
          last = (error as Error).message;
        }
      } else {
        last = describeErrorBody(answer.status, answer.text);
        if (!isRetryableStatus(answer.status)) {
          throw new ApiError('API_TOKEN_FAILED', `access token request refused: ${last}`, { status: answer.status });
        }
        retryAfterMs = parseRetryAfter(answer.retryAfter, now());
      }
      await waitBeforeRetry(attempt, retryAfterMs, last, answer.status);
    }
    if (deps.signal?.aborted) throw new ApiError('API_TOKEN_FAILED', `access token request interrupted; last: ${last}`);
    throw new ApiError('API_TOKEN_FAILED', `access token request failed after ${policy.maxAttempts} attempts; last: ${last}`);
  };

  async function waitBeforeRetry(attempt: number, retryAfterMs: number | undefined, reason: string, status?: number) {
    if (attempt >= policy.maxAttempts) return;
    const delayMs = backoffDelay(policy, attempt, retryAfterMs, random);
    deps.onRetry?.({ attempt, delayMs, reason: `access token: ${reason}`, ...(status !== undefined && { status }) });
    await sleep(delayMs, deps.signal);
  }
}
