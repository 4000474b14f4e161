// What the merchants of a fleet share when they send (README "Partner mode"): one cap on the requests in
// flight across all of them (each merchant's own concurrency, fixed or adaptive, works inside it), and
// one access token per set of credentials, so partner keys fetch one token for every merchant they serve
// while a merchant with its own keys gets its own. A merchant's adaptive limit stays its own: the API's
// quota is per merchant serial number.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Credentials } from '../api/http.ts';
import type { TokenState } from '../api/token-cache.ts';

export interface SharedDelivery {
  /** The most requests in flight at once, across every merchant. */
  readonly cap: number;
  readonly inFlight: number;
  readonly waiting: number;
  /** Runs one HTTP request once a place under the cap is free. */
  request<T>(send: () => Promise<T>): Promise<T>;
  /** The token state the merchants with these credentials (at this API) share. */
  tokenStateFor(apiUrl: string, credentials: Credentials): TokenState;
}

export function createSharedDelivery(options: { maxRequestsInFlight: number }): SharedDelivery {
  const places = pLimit(options.maxRequestsInFlight);
  const tokens = new Map<string, TokenState>();
  return {
    cap: options.maxRequestsInFlight,
    get inFlight() {
      return places.activeCount;
    },
    get waiting() {
      return places.pendingCount;
    },
    request: (send) => places(send),
    tokenStateFor(apiUrl, credentials) {
      // Keyed by everything that fetches the token, not the client id alone: a merchant that names the
      // partner's client id with a wrong secret must fail on its own, never borrow (or spoil) the partner's
      // token. Hashed: the key of a map is no place for a secret in clear.
      const key = createHash('sha256')
        .update([apiUrl, credentials.clientId, credentials.clientSecret, credentials.subscriptionKey].join('\u0000'))
        .digest('base64url');
      let state = tokens.get(key);
      if (!state) tokens.set(key, (state = {}));
      return state;
    },
  };
}
