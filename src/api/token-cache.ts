// The access token, fetched once and reused until shortly before it expires (API note: "refresh before
// expiry, ≥ 60 s margin; on an unexpected 401 discard it, fetch once and retry once"). Concurrent callers
// share one fetch. The token lives only in memory: never logged, never persisted.

export interface TokenCache {
  get(): Promise<string>;
  /** Drops `token` if it is still the cached one (a 401 said it is no longer good). */
  invalidate(token: string): void;
}

export function createTokenCache(fetchToken: () => Promise<{ token: string; expiresAt: number }>, now: () => number = Date.now): TokenCache {
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      inFlight ??= fetchToken()
        .then(({ token, expiresAt }) => {
          const lifetime = expiresAt - now();
          // 60 s margin, or half the lifetime for short-lived (test) tokens.
          cached = { token, refreshAt: expiresAt - Math.min(60_000, lifetime / 2) };
          return token;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
