// A storm (every answer a 5xx, every request timing out) would otherwise retry member after member for
// hours. When `limit` members in a row could not be delivered for reasons that say nothing about their
// events (retries used up, the gateway refusing us) and nothing was accepted or refused in between,
// the run stops with API_CIRCUIT_OPEN; the members not reached wait for the next run.
import { ApiError } from '../errors.ts';
import type { MemberOutcome } from '../state/commit.ts';

export interface CircuitBreaker {
  /** Counts a finished member; returns the error that stops the run once the breaker opens. */
  record(outcome: MemberOutcome): ApiError | undefined;
}

export function createCircuitBreaker(limit: number): CircuitBreaker {
  let inARow = 0;
  let open = false;
  return {
    record(outcome) {
      const failure = outcome.failure;
      // The API answered about an event (accepted, or refused it): it is working.
      if (outcome.acceptedNow.length > 0 || (failure && failure.code === 'API_REJECTED' && failure.status !== 401 && failure.status !== 403)) {
        inARow = 0;
        return undefined;
      }
      if (!failure || open) return undefined;
      if (++inARow < limit) return undefined;
      open = true;
      return new ApiError(
        'API_CIRCUIT_OPEN',
        `stopped sending: ${inARow} members in a row could not be delivered and the API accepted nothing in between (last: ${failure.detail}); the members not reached wait for the next run (--max-failures-in-a-row)`,
        { ...(failure.status !== undefined && { status: failure.status }) },
      );
    },
  };
}
