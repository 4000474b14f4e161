// Access tokens of the sandbox's `POST /accesstoken/get` (see the API note, "Access token"): opaque
// random strings kept in memory with their expiry. They do not survive a restart of the sandbox, which
// exercises the client's "unexpected 401: fetch a new token once and retry once" path.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxCredentials } from './sandbox-options.ts';

/** The token endpoint's 200 body; `expires_in`/`expires_on`/… are strings, as the real endpoint sends them. */
export interface AccessTokenBody {
  token_type: 'Bearer';
  expires_in: string;
  ext_expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  access_token: string;
}

/** Header name → the credentials field it must equal when credentials are enforced. */
const TOKEN_HEADERS = {
  client_id: 'clientId',
  client_secret: 'clientSecret',
  'Ocp-Apim-Subscription-Key': 'subscriptionKey',
  'Merchant-Serial-Number': 'merchantSerialNumber',
} as const satisfies Record<string, keyof SandboxCredentials>;

// Any fixed GUID: the real endpoint names the resource the token is for; clients ignore it.
const RESOURCE = '00000002-0000-0000-c000-000000000000';

export type Verdict = { ok: true } | { ok: false; message: string };

export class AccessTokens {
  readonly #credentials: SandboxCredentials | undefined;
  readonly #lifetimeSeconds: number;
  readonly #now: () => number;
  /** token → expiry in epoch ms */
  readonly #expiries = new Map<string, number>();

  constructor(options: { credentials: SandboxCredentials | undefined; lifetimeSeconds: number; now: () => number }) {
    this.#credentials = options.credentials;
    this.#lifetimeSeconds = options.lifetimeSeconds;
    this.#now = options.now;
  }

  /** Checks the token request's credential headers; names the bad headers, never their values. */
  checkTokenRequest(headers: IncomingHttpHeaders): Verdict {
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const [name, field] of Object.entries(TOKEN_HEADERS)) {
      const value = headerValue(headers, name);
      if (!value) missing.push(name);
      else if (this.#credentials && value !== this.#credentials[field]) wrong.push(name);
    }
    if (missing.length > 0) return { ok: false, message: `Access denied: missing or empty header(s) ${missing.join(', ')}` };
    if (wrong.length > 0) return { ok: false, message: `Access denied: invalid credentials in header(s) ${wrong.join(', ')}` };
    return { ok: true };
  }

  issue(): AccessTokenBody {
    const nowMs = this.#now();
    const token = `sbx.${randomBytes(24).toString('base64url')}`;
    this.#expiries.set(token, nowMs + this.#lifetimeSeconds * 1000);
    const nowSeconds = Math.floor(nowMs / 1000);
    return {
      token_type: 'Bearer',
      expires_in: String(this.#lifetimeSeconds),
      ext_expires_in: String(this.#lifetimeSeconds),
      expires_on: String(nowSeconds + this.#lifetimeSeconds),
      not_before: String(nowSeconds),
      resource: RESOURCE,
      access_token: token,
    };
  }

  /**
   * The gateway's checks of an event request, in its order: a subscription key (the right one when
   * enforced), then a known, unexpired bearer token. Nothing else is looked at before these pass.
   */
  checkGateway(headers: IncomingHttpHeaders): Verdict {
    const key = headerValue(headers, 'Ocp-Apim-Subscription-Key');
    if (key === undefined) return { ok: false, message: 'Access denied due to missing subscription key (Ocp-Apim-Subscription-Key). Make sure to include it when making requests to an API.' };
    if (this.#credentials && key !== this.#credentials.subscriptionKey) {
      return { ok: false, message: 'Access denied: invalid credentials in header(s) Ocp-Apim-Subscription-Key' };
    }
    const match = /^Bearer\s+(\S+)$/i.exec(headerValue(headers, 'authorization') ?? '');
    if (!match) return { ok: false, message: 'Access denied: missing or malformed Authorization header, expected "Bearer <token>"' };
    const token = match[1] ?? '';
    const expiresAt = this.#expiries.get(token);
    if (expiresAt === undefined) return { ok: false, message: 'Access denied: unknown access token' };
    if (expiresAt <= this.#now()) {
      this.#expiries.delete(token);
      return { ok: false, message: 'Access denied: access token expired' };
    }
    return { ok: true };
  }

  /** When credentials are enforced, the event's merchant serial number must be theirs (checked after the headers). */
  checkMerchant(headers: IncomingHttpHeaders): Verdict {
    if (!this.#credentials || headerValue(headers, 'Merchant-Serial-Number') === this.#credentials.merchantSerialNumber) return { ok: true };
    return { ok: false, message: 'Access denied: invalid credentials in header(s) Merchant-Serial-Number' };
  }
}

/** A header's value, `undefined` when absent or empty; node lower-cases incoming header names. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first;
}
