import { openApiConnection } from '../api/http.ts';
import { systemHeaders } from '../api/system-headers.ts';
import { createTokenCache } from '../api/token-cache.ts';
import type { RunConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createApiHealth } from './api-health.ts';
import type { RetryPolicy } from './backoff.ts';
import { createTokenFetcher } from './fetch-token.ts';
import { createEventSender, type EventSender } from './send-event.ts';
import type { Telemetry } from './telemetry.ts';

export interface OpenSender {
  send: EventSender;
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
}

/** The run's one connection pool to the API, its token cache and its retry policy, from the config. */
export function openSender(config: RunConfig, options: SenderOptions): OpenSender {
  const connection = openApiConnection({
    apiUrl: config.apiUrl,
    credentials: config.credentials!,
    system: systemHeaders({ name: config.pluginName, version: config.pluginVersion }),
    connections: config.concurrency,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const policy: RetryPolicy = {
    maxAttempts: config.maxAttempts,
    baseDelayMs: config.retryBaseDelayMs,
    maxDelayMs: config.retryMaxDelayMs,
    ...(config.deadlineMinutes && { deadline: options.startedAt.getTime() + config.deadlineMinutes * 60_000 }),
  };
  const health = createApiHealth(config.apiUrl);
  const onRetry = (info: object) => options.logger.debug({ stage: 'deliver', ...info }, 'retrying');
  const fetchToken = createTokenFetcher({ request: connection.requestToken, policy, health, onRetry, ...(options.signal && { signal: options.signal }) });
  const send = createEventSender({
    post: connection.postEvent,
    tokens: createTokenCache(fetchToken),
    policy,
    health,
    checkBeforeSend: options.checkBeforeSend,
    ...(options.signal && { signal: options.signal }),
    onRetry,
    onAttempt: (attempt) => options.telemetry.recordAttempt(attempt),
  });
  return { send, close: () => connection.close(), destroy: () => connection.destroy() };
}
