// Whether the API can be reached at all. When the run's first requests all fail to connect (nothing
// listening, a DNS name that does not resolve, a firewall), retrying every member for minutes helps
// nobody: the run stops at once with API_UNREACHABLE. Once anything has answered, connection failures
// are ordinary retries (and count towards the circuit breaker in circuit-breaker.ts).
import { ApiError } from '../errors.ts';

export interface ApiHealth {
  /** An HTTP answer came back, whatever its status: the API is reachable. */
  answered(): void;
  /** A request failed before it reached the API; throws API_UNREACHABLE when nothing has ever answered and this keeps happening. */
  couldNotConnect(error: unknown): void;
}

/** Connection failures in a row, before any answer, after which the API counts as unreachable. */
export const UNREACHABLE_AFTER = 3;

export function createApiHealth(apiUrl: string): ApiHealth {
  let reachable = false;
  let failures = 0;
  return {
    answered() {
      reachable = true;
    },
    couldNotConnect(error) {
      if (reachable || ++failures < UNREACHABLE_AFTER) return;
      const cause = error as NodeJS.ErrnoException;
      throw new ApiError(
        'API_UNREACHABLE',
        `the API at ${new URL(apiUrl).origin} cannot be reached: the first ${failures} requests failed to connect (last: ${cause.code ? `${cause.code}: ` : ''}${cause.message}); check --api-url, DNS and the network. Nothing was sent; the export is synced by the next run`,
        { cause: error },
      );
    },
  };
}
