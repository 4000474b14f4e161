// The one HTTP connection pool to the API (keep-alive, one origin), and the two requests the job makes.
// Answers come back as they are (status, Retry-After, the body read to a cap): what they mean, and
// whether to try again, is decided by the callers in src/deliver/.
import { Pool } from 'undici';
import { ApiError, ConfigError } from '../errors.ts';
import { registerAccessToken } from '../privacy/secret-values.ts';
import { readCappedText } from './capped-body.ts';
import { accessTokenSchema } from './events.ts';
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
  /** The body, read to MAX_ANSWER_BYTES (see capped-body.ts). */
  text: string;
}

export interface ApiConnection {
  postEvent(body: string, token: string): Promise<HttpAnswer>;
  requestToken(): Promise<HttpAnswer>;
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
  const { credentials, system } = options;

  async function post(path: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
    let response;
    try {
      response = await pool.request({ method: 'POST', path: `${basePath}${path}`, headers, body });
    } catch (error) {
      // undici refuses a header value it cannot send (a line break, say) before anything goes out; the
      // config schema should have caught it, and retrying cannot help.
      if ((error as { code?: string }).code === 'UND_ERR_INVALID_ARG') throw new ConfigError(`cannot send a request to the API: ${(error as Error).message}`, { cause: error });
      throw error;
    }
    const { text } = await readCappedText(response.body);
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
    requestToken() {
      return post(
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
    },
    close: () => (pool.destroyed ? Promise.resolve() : pool.close()),
    destroy: () => pool.destroy(),
  };
}

/** A token endpoint's 200 answer → the token and when it expires; ApiError when it is not one. */
export function parseAccessToken(answer: HttpAnswer, now: number): { token: string; expiresAt: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    // Without JSON.parse's error as the cause: its message quotes the answer's first characters, and
    // an answer that echoes the client_secret would leave the start of it in the log.
    throw new ApiError('API_TOKEN_FAILED', 'the access token answer is not JSON', { status: answer.status });
  }
  const token = accessTokenSchema.safeParse(parsed);
  // The issues name fields, never values: the answer holds the token itself.
  if (!token.success) throw new ApiError('API_TOKEN_FAILED', `the access token answer has an unexpected shape: ${token.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ')}`);
  // expires_on (Unix seconds) is authoritative when present; expires_in is relative to now.
  const expiresAt = token.data.expires_on ? Number(token.data.expires_on) * 1000 : now + Number(token.data.expires_in) * 1000;
  // Before it is ever sent: an API that echoes request headers must not get it into an output.
  registerAccessToken(token.data.access_token);
  return { token: token.data.access_token, expiresAt };
}

/**
 * A 2xx from the events endpoint means "accepted" only with the documented body,
 * `{"status":"accepted","eventId":"<the request's id>"}`; anything else (a proxy's page, another id)
 * leaves the event's outcome unknown.
 */
export function isAcceptance(text: string, eventId: string): boolean {
  try {
    const body = JSON.parse(text) as { status?: unknown; eventId?: unknown } | null;
    return body?.status === 'accepted' && body.eventId === eventId;
  } catch {
    return false;
  }
}

// Errors raised before the request could leave this machine: no connection, no address, a refused or
// unverifiable TLS handshake. Anything else (a reset, a timeout waiting for the answer) may come after
// the API received the request.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Whether a request that threw `error` never reached the API (so it cannot have been applied). */
export function failedToConnect(error: unknown): boolean {
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; cause && depth < 4; cause = cause.cause as typeof cause, depth++) {
    if (typeof cause.code === 'string' && NOT_SENT_CODES.has(cause.code)) return true;
  }
  return false;
}
