// The secrets this process knows, by value: registered where they enter (the configuration when it is
// parsed, an access token when it is received) and removed from every output (see redact.ts), whatever
// echoed them — an API answering 401 with the client_secret it was sent, a gateway echoing request
// headers, a webhook quoting its own URL. Key-based redaction (log.ts) still removes them where the
// key is known; this catches them where it is not.
//
// Process-wide on purpose: an output boundary must not depend on being handed the right list.

/** Shorter values are not removed: replacing every "admin" or "1234" in a report would mangle it. */
export const MIN_SECRET_LENGTH = 6;
/** Access tokens are replaced every hour or so; an old one cannot be echoed any more. */
const TOKENS_KEPT = 20;
const REPLACEMENT = '[redacted]';

const configured = new Set<string>();
const tokens: string[] = [];
let pattern: RegExp | undefined;

/** A configured secret; false when it is too short to be removed by value (see MIN_SECRET_LENGTH). */
function registerSecret(value: string | undefined): boolean {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return false;
  if (!configured.has(value)) {
    configured.add(value);
    pattern = undefined;
  }
  return true;
}

/** An access token just received (the newest few are kept). */
export function registerAccessToken(token: string): void {
  if (token.length < MIN_SECRET_LENGTH || tokens.includes(token)) return;
  tokens.push(token);
  if (tokens.length > TOKENS_KEPT) tokens.shift();
  pattern = undefined;
}

/** What of the configuration is secret. Structural, so that this base module imports no config. */
export interface SecretSettings {
  credentials?: { clientId?: string; clientSecret?: string; subscriptionKey?: string } | undefined;
  sftp?: { privateKey?: string | undefined; passphrase?: string | undefined; password?: string | undefined } | undefined;
  notifyUrl?: string | undefined;
  pushgatewayUrl?: string | undefined;
  apiUrl?: string | undefined;
}

/**
 * Registers every secret of a parsed configuration: API credentials (the merchant serial number is not
 * one), SFTP password, passphrase and private key, the whole webhook URL (its path and query are its
 * token), and the userinfo of any URL (the Pushgateway's user:password, also as the Basic auth it
 * becomes). Returns the names of secrets too short to be removed by value.
 */
export function registerConfiguredSecrets(settings: SecretSettings): string[] {
  const tooShort: string[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && !registerSecret(value)) tooShort.push(name);
  };
  add('clientId', settings.credentials?.clientId);
  add('clientSecret', settings.credentials?.clientSecret);
  add('subscriptionKey', settings.credentials?.subscriptionKey);
  add('sftp.password', settings.sftp?.password);
  add('sftp.passphrase', settings.sftp?.passphrase);
  registerPrivateKey(settings.sftp?.privateKey);
  if (settings.notifyUrl) registerWebhookUrl(settings.notifyUrl);
  for (const url of [settings.notifyUrl, settings.pushgatewayUrl, settings.apiUrl]) if (url) registerUrlUserinfo(url);
  return tooShort;
}

/** The key as a whole and each line of it, so that a key echoed in pieces or re-wrapped is caught too. */
export function registerPrivateKey(key: string | undefined): void {
  if (!key) return;
  registerSecret(key);
  for (const line of key.split(/\r?\n/)) if (!line.startsWith('-----')) registerSecret(line.trim());
}

function registerWebhookUrl(text: string): void {
  registerSecret(text);
  const url = parseUrl(text);
  if (!url) return;
  registerSecret(url.href);
  registerSecret(`${url.pathname}${url.search}`.replace(/^\/$/, ''));
  // The token part on its own (Slack: /services/T…/B…/<token>): long path segments and query values.
  const parts = [...url.pathname.split('/'), ...url.searchParams.values()];
  for (const part of parts) if (part.length >= 12) registerSecret(part);
}

/** user:password, the password alone, and the Basic auth they become; a user without password is a token. */
function registerUrlUserinfo(text: string): void {
  const url = parseUrl(text);
  if (!url || (!url.username && !url.password)) return;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  for (const value of password ? [password, url.password, `${user}:${password}`] : [user, url.username]) registerSecret(value);
  registerSecret(Buffer.from(`${user}:${password}`).toString('base64'));
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** `text` with every known secret replaced by "[redacted]" (as written, JSON-escaped or URL-encoded). */
export function removeSecrets(text: string): string {
  if (configured.size === 0 && tokens.length === 0) return text;
  pattern ??= secretsPattern();
  return text.replace(pattern, REPLACEMENT);
}

function secretsPattern(): RegExp {
  const forms = new Set<string>();
  for (const value of [...configured, ...tokens]) {
    for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) forms.add(form);
  }
  // Longest first: a secret that contains another is removed whole.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(alternatives.join('|'), 'g');
}
