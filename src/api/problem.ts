import { redactText } from '../privacy/redact.ts';
import { removeSecrets } from '../privacy/secret-values.ts';
import { problemSchema } from './events.ts';

/**
 * A one-line description of an error answer. Problem+json is the documented shape, but gateway errors
 * (401, 403, 429) come in others, and a proxy may answer HTML: parse defensively, never throw.
 */
export function describeErrorBody(status: number, text: string): string {
  // An API may echo the payload's phone number or the credentials it was sent (a 401 quoting the
  // client_secret, a gateway quoting request headers): this text goes to logs, reports and the state
  // file. Secrets are removed and phone numbers masked before the text is cut, so a cut never leaves
  // half of one behind.
  const described = redactText(describeUnmasked(status, removeSecrets(text)));
  return described.length <= MAX_DESCRIPTION ? described : `${described.slice(0, MAX_DESCRIPTION)}… (cut at ${MAX_DESCRIPTION} characters)`;
}

/** A description is one line of a report, repeated for up to a thousand failures: a problem detail of megabytes is cut. */
export const MAX_DESCRIPTION = 1000;

function describeUnmasked(status: number, text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const cut = fieldsOfCutJson(text);
    if (cut) return `HTTP ${status}: ${cut}`;
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
  }
  const problem = problemSchema.safeParse(parsed);
  if (problem.success && (problem.data.detail || problem.data.title)) {
    const extra = problem.data.extraDetails === undefined ? '' : ` ${JSON.stringify(problem.data.extraDetails).slice(0, 500)}`;
    const trace = problem.data.traceId ? ` (traceId ${problem.data.traceId})` : '';
    return `HTTP ${status}: ${[problem.data.title, problem.data.detail].filter(Boolean).join(': ')}${extra}${trace}`;
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? `HTTP ${status}: ${message}` : `HTTP ${status}: ${text.slice(0, 200)}`;
}

/**
 * `title: detail` from a problem+json body that was cut at the read cap (see capped-body.ts), so no
 * longer parses: the string fields are read up to where the text ends.
 */
function fieldsOfCutJson(text: string): string | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  const field = (name: string) => {
    const match = new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)`).exec(text);
    if (!match) return undefined;
    try {
      return JSON.parse(`"${match[1]!.replace(/\\$/, '')}"`) as string;
    } catch {
      return match[1];
    }
  };
  const parts = [field('title'), field('detail') ?? field('message')].filter(Boolean);
  return parts.length > 0 ? parts.join(': ') : undefined;
}
