import { openApiConnection } from '../api/http.ts';
import { systemHeaders } from '../api/system-headers.ts';
import { createTokenCache } from '../api/token-cache.ts';
import type { RunConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createEventSender, type EventSender } from './send-event.ts';
import type { Telemetry } from './telemetry.ts';

export interface OpenSender {
  send: EventSender;
  close(): Promise<void>;
  /** Abandons requests in flight (end of a shutdown grace period). */
  destroy(): Promise<void>;
}

/** The run's one connection pool to the API, its token cache and its retry policy, from the config. */
export function openSender(config: RunConfig, options: { startedAt: Date; signal?: AbortSignal; logger: Logger; telemetry: Telemetry }): OpenSender {
  const connection = openApiConnection({
    apiUrl: config.apiUrl,
    credentials: config.credentials!,
    system: systemHeaders({ name: config.pluginName, version: config.pluginVersion }),
    connections: config.concurrency,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const send = createEventSender({
    post: connection.postEvent,
    tokens: createTokenCache(connection.fetchToken),
    policy: {
      maxAttempts: config.maxAttempts,
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      ...(config.deadlineMinutes && { deadline: options.startedAt.getTime() + config.deadlineMinutes * 60_000 }),
    },
    ...(options.signal && { signal: options.signal }),
    onRetry: (info) => options.logger.debug({ stage: 'deliver', ...info }, 'retrying'),
    onAttempt: (attempt) => options.telemetry.recordAttempt(attempt),
  });
  return { send, close: () => connection.close(), destroy: () => connection.destroy() };
}
