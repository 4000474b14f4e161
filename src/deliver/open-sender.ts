import { openApiConnection } from '../api/http.ts';
import { systemHeaders } from '../api/system-headers.ts';
import { createTokenCache } from '../api/token-cache.ts';
import type { RunConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createApiHealth } from './api-health.ts';
import type { RetryPolicy } from './backoff.ts';
import { type Concurrency, createConcurrency } from './concurrency.ts';
import { createTokenFetcher } from './fetch-token.ts';
import { createRateCap } from './rate-cap.ts';
import type { SharedDelivery } from './shared-delivery.ts';
import { createEventSender, type EventSender } from './send-event.ts';
import type { Telemetry } from './telemetry.ts';

export interface OpenSender {
  send: EventSender;
  /** How many members go out at once (fixed, or learnt from the answers the sender gets). */
  concurrency: Concurrency;
  close(): Promise<void>;
  /** Abandons requests in flight (end of a shutdown grace period). */
  destroy(): Promise<void>;
}

export interface SenderOptions {
  startedAt: Date;
  signal?: AbortSignal;
  logger: Logger;
  telemetry: Telemetry;
  /** Throws when the run may no longer send (it lost its lock): checked before every attempt. */
  checkBeforeSend: () => void;
  /** In a fleet: the cap on requests in flight and the token cache the merchants share. */
  shared?: SharedDelivery;
}

/** The run's one connection pool to the API, its token cache, retry policy, concurrency and rate cap, from the config. */
export function openSender(config: RunConfig, options: SenderOptions): OpenSender {
  const concurrency = createConcurrency(config.concurrency, {
    max: config.maxConcurrency,
    onChange: (change) => options.logger.debug({ stage: 'deliver', ...change }, 'concurrency limit changed'),
  });
  const connection = openApiConnection({
    apiUrl: config.apiUrl,
    credentials: config.credentials!,
    system: systemHeaders({ name: config.pluginName, version: config.pluginVersion }),
    connections: config.concurrency === 'auto' ? config.maxConcurrency : config.concurrency,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const policy: RetryPolicy = {
    maxAttempts: config.maxAttempts,
    baseDelayMs: config.retryBaseDelayMs,
    maxDelayMs: config.retryMaxDelayMs,
    ...(config.deadlineMinutes && { deadline: options.startedAt.getTime() + config.deadlineMinutes * 60_000 }),
  };
  const { shared } = options;
  const requestToken = shared ? () => shared.request(connection.requestToken) : connection.requestToken;
  const health = createApiHealth(config.apiUrl);
  const onRetry = (info: object) => options.logger.debug({ stage: 'deliver', ...info }, 'retrying');
  const fetchToken = createTokenFetcher({ request: requestToken, policy, health, onRetry, ...(options.signal && { signal: options.signal }) });
  const send = createEventSender({
    post: connection.postEvent,
    tokens: createTokenCache(fetchToken, Date.now, shared?.tokenStateFor(config.apiUrl, config.credentials!)),
    ...(shared && { requestSlot: shared.request }),
    policy,
    health,
    ...(config.maxRate && { rateCap: createRateCap(config.maxRate) }),
    checkBeforeSend: options.checkBeforeSend,
    ...(options.signal && { signal: options.signal }),
    onRetry,
    onAttempt: (attempt) => {
      concurrency.record(attempt);
      options.telemetry.recordAttempt(attempt, concurrency.limit);
    },
  });
  return { send, concurrency, close: () => connection.close(), destroy: () => connection.destroy() };
}
