// The access token, fetched once and reused until shortly before it expires (API note: "refresh before
// expiry, ≥ 60 s margin; on an unexpected 401 discard it, fetch once and retry once"). Concurrent callers
// share one fetch. The token lives only in memory: never logged, never persisted.

export interface TokenCache {
  get(): Promise<string>;
  /** Drops `token` if it is still the cached one (a 401 said it is no longer good). */
  invalidate(token: string): void;
}

/**
 * What a cache holds: the token and the fetch under way. Caches handed the same state share the token,
 * each fetching through its own `fetchToken` when it needs a new one (a fleet's merchants with the same
 * partner keys: src/deliver/shared-delivery.ts).
 */
export interface TokenState {
  cached?: { token: string; refreshAt: number } | undefined;
  inFlight?: Promise<string> | undefined;
}

export function createTokenCache(fetchToken: () => Promise<{ token: string; expiresAt: number }>, now: () => number = Date.now, state: TokenState = {}): TokenCache {
  return {
    get() {
      const { cached } = state;
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      state.inFlight ??= fetchToken()
        .then(({ token, expiresAt }) => {
          const lifetime = expiresAt - now();
          // 60 s margin, or half the lifetime for short-lived (test) tokens.
          state.cached = { token, refreshAt: expiresAt - Math.min(60_000, lifetime / 2) };
          return token;
        })
        .finally(() => {
          state.inFlight = undefined;
        });
      return state.inFlight;
    },
    invalidate(token) {
      if (state.cached?.token === token) state.cached = undefined;
    },
  };
}
