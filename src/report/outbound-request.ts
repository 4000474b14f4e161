// One HTTP request to a monitoring or chat endpoint (Pushgateway, webhook): a client of its own that is
// closed afterwards (a nightly job must not be kept alive by an idle socket), a deadline for the whole
// exchange, and an error that names the endpoint without leaking it: a webhook URL's path is its secret
// (Slack: /services/T…/B…/<token>) and a URL may carry user:password.
import { readCappedText } from '../api/capped-body.ts';
import { OutboundError, type OutboundErrorCode } from '../errors.ts';
import { redactText } from '../privacy/redact.ts';
import { removeSecrets } from '../privacy/secret-values.ts';

export interface OutboundRequest {
  code: OutboundErrorCode;
  /** For the error message, e.g. "Pushgateway push". */
  what: string;
  url: string;
  /** Path (and query) appended to the URL's own path. */
  extraPath?: string;
  /** Whether the URL's path may appear in an error (a Pushgateway's may; a webhook's may not). */
  showPath: boolean;
  method: 'PUT' | 'POST';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export const DEFAULT_OUTBOUND_TIMEOUT_MS = 10_000;
const ANSWER_SHOWN = 300;

export async function sendOutbound(request: OutboundRequest): Promise<void> {
  const url = parseUrl(request);
  const pathname = `${url.pathname.replace(/\/$/, '')}${request.extraPath ?? ''}` || '/';
  const path = `${pathname}${url.search}`;
  // Never the query either: tokens travel there too (?key=…&token=…).
  const shown = `${url.origin}${request.showPath ? pathname : ' (path not shown)'}`;
  const fail = (message: string, options: { status?: number; cause?: unknown } = {}) =>
    new OutboundError(request.code, `${request.what} to ${shown} failed: ${message}`, options);

  const headers = { ...request.headers };
  // user:password in the URL becomes Basic auth (it must not travel in the request line).
  if (url.username || url.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  // Loaded here, not at start-up: the HTTP client weighs ~30 MB that most runs never need (see sync.ts).
  const { Client } = await import('undici');
  const client = new Client(url.origin, {
    connectTimeout: request.timeoutMs,
    headersTimeout: request.timeoutMs,
    bodyTimeout: request.timeoutMs,
  });
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const answer = await client.request({ method: request.method, path, headers, body: request.body, signal });
    // Only the beginning is ever shown: a huge or endless answer is not read to its end.
    const { text } = await readCappedText(answer.body);
    if (answer.statusCode < 200 || answer.statusCode > 299) {
      // Secrets go before the answer is cut short (a cut could leave half of one), then the rest.
      const excerpt = removeSecrets(text).replace(/\s+/g, ' ').trim().slice(0, ANSWER_SHOWN);
      throw fail(`HTTP ${answer.statusCode}${excerpt ? `: ${redactText(excerpt)}` : ''}`, { status: answer.statusCode });
    }
  } catch (error) {
    if (error instanceof OutboundError) throw error;
    if (signal.aborted) throw fail(`no answer within ${request.timeoutMs} ms`, { cause: error });
    const cause = error as NodeJS.ErrnoException;
    throw fail(`${cause.code ? `${cause.code}: ` : ''}${cause.message}`, { cause: error });
  } finally {
    await client.destroy().catch(() => undefined);
  }
}

function parseUrl(request: OutboundRequest): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    // The text is not shown: it is not known to be a URL, and may be a secret one mistyped.
    throw new OutboundError(request.code, `${request.what} failed: the URL is not valid (expected http:// or https://…)`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundError(request.code, `${request.what} failed: expected an http:// or https:// URL, got ${url.protocol}//…`);
  }
  return url;
}
