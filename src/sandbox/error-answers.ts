// Error answers that misbehave the way careless services and proxies do (faults `echoCredentials` and
// `errorBodyBytes`): they echo what the client sent (credentials, its bearer token) and carry problem
// details of megabytes. A client must neither leak what comes back nor run out of memory reading it.
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxFaults } from './sandbox-options.ts';

/** The field a person reads: `detail` in problem+json, `message` in the gateway shape. */
const TEXT_FIELDS = ['detail', 'message'] as const;
const FILLER = ' at Loyalty.Events.Pipeline.Validate(EventEnvelope envelope)';

/** `body` as the faults make it misbehave: an echo of the request headers, padded to `errorBodyBytes`. */
export function misbehavingErrorBody(body: Record<string, unknown>, headers: IncomingHttpHeaders, faults: SandboxFaults): Record<string, unknown> {
  if (!faults.echoCredentials && faults.errorBodyBytes === 0) return body;
  const field = TEXT_FIELDS.find((name) => typeof body[name] === 'string');
  if (!field) return body;
  let text = body[field] as string;
  if (faults.echoCredentials) text += ` (request headers: ${echoOf(headers)})`;
  const missing = faults.errorBodyBytes - Buffer.byteLength(JSON.stringify({ ...body, [field]: text }));
  if (missing > 0) text += FILLER.repeat(Math.ceil(missing / FILLER.length));
  return { ...body, [field]: text };
}

function echoOf(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`)
    .join('; ');
}
