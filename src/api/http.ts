// The one HTTP connection pool to the API (keep-alive, one origin), and the two requests the job makes.
import { Pool } from 'undici';
import { ApiError } from '../errors.ts';
import { registerAccessToken } from '../privacy/secret-values.ts';
import { accessTokenSchema } from './events.ts';
import { describeErrorBody } from './problem.ts';
import type { SystemHeaders } from './system-headers.ts';

export interface Credentials {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  merchantSerialNumber: string;
}

export interface HttpAnswer {
  status: number;
  /** The `Retry-After` header as sent (seconds or an HTTP date). */
  retryAfter?: string;
  text: string;
}

export interface ApiConnection {
  postEvent(body: string, token: string): Promise<HttpAnswer>;
  fetchToken(): Promise<{ token: string; expiresAt: number }>;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
  /** Aborts requests in flight at once (their outcome is unknown: they are re-sent next run). */
  destroy(): Promise<void>;
}

export interface ConnectionOptions {
  apiUrl: string;
  credentials: Credentials;
  system: SystemHeaders;
  connections: number;
  requestTimeoutMs: number;
  now?: () => number;
}

export function openApiConnection(options: ConnectionOptions): ApiConnection {
  const url = new URL(options.apiUrl);
  const basePath = url.pathname.replace(/\/$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connectTimeout: Math.min(options.requestTimeoutMs, 10_000),
  });
  const now = options.now ?? Date.now;
  const { credentials, system } = options;

  async function post(path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
    const response = await pool.request({ method: 'POST', path: `${basePath}${path}`, headers, body });
    const text = await response.body.text();
    const retryAfter = response.headers['retry-after'];
    return { status: response.statusCode, text, ...(typeof retryAfter === 'string' && { retryAfter }) };
  }

  return {
    postEvent(body, token) {
      return post(
        '/loyalty/v1/events',
        {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'ocp-apim-subscription-key': credentials.subscriptionKey,
          'merchant-serial-number': credentials.merchantSerialNumber,
          ...system,
        },
        body,
      );
    },
    async fetchToken() {
      const answer = await post(
        '/accesstoken/get',
        {
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          'ocp-apim-subscription-key': credentials.subscriptionKey,
          'merchant-serial-number': credentials.merchantSerialNumber,
          ...system,
        },
        '',
      );
      if (answer.status !== 200) {
        throw new ApiError('API_TOKEN_FAILED', `access token request failed: ${describeErrorBody(answer.status, answer.text)}`, {
          status: answer.status,
        });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        // Without JSON.parse's error as the cause: its message quotes the answer's first characters, and
        // an answer that echoes the client_secret would leave the start of it in the log.
        throw new ApiError('API_TOKEN_FAILED', 'access token answer is not JSON', { status: answer.status });
      }
      const token = accessTokenSchema.safeParse(parsed);
      if (!token.success) throw new ApiError('API_TOKEN_FAILED', `access token answer has an unexpected shape: ${token.error.message}`);
      // expires_on (Unix seconds) is authoritative when present; expires_in is relative to now.
      const expiresAt = token.data.expires_on ? Number(token.data.expires_on) * 1000 : now() + Number(token.data.expires_in) * 1000;
      // Before it is ever sent: an API that echoes request headers must not get it into an output.
      registerAccessToken(token.data.access_token);
      return { token: token.data.access_token, expiresAt };
    },
    close: () => (pool.destroyed ? Promise.resolve() : pool.close()),
    destroy: () => pool.destroy(),
  };
}
