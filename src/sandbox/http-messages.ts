// Reading request bodies and writing the three answer shapes the sandbox speaks: plain JSON, RFC 9457
// problem+json (the Loyalty API's own errors) and the gateway shape `{"statusCode","message"}` that the
// real API gateway uses for 401/429 (see the API note, "Transport": clients must parse defensively).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bigger bodies are refused with 413; a real event is a few kB at most. */
export const MAX_BODY_BYTES = 1 << 20;

export interface FieldIssue {
  field: string;
  message: string;
}

export interface ProblemInit {
  status: number;
  /** Short stable slug, becomes `type: urn:loyalty-sync:sandbox:<slug>`. */
  slug: string;
  title: string;
  detail: string;
  extraDetails?: FieldIssue[];
}

/** Body bytes, or `undefined` when it exceeded MAX_BODY_BYTES (the rest is discarded). */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function problemBody(problem: ProblemInit): Record<string, unknown> {
  return {
    type: `urn:loyalty-sync:sandbox:${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    traceId: randomUUID(),
    ...(problem.extraDetails ? { extraDetails: problem.extraDetails } : {}),
  };
}

export function sendProblem(res: ServerResponse, problem: ProblemInit): void {
  sendJson(res, problem.status, problemBody(problem), {}, 'application/problem+json');
}

/** The API gateway's shape, used for 401 and 429 on purpose (not problem+json). */
export function gatewayBody(status: number, message: string): { statusCode: number; message: string } {
  return { statusCode: status, message };
}

/** Parses a JSON body; `undefined` for an empty body. Throws SyntaxError on bad JSON. */
export function parseJsonBody(body: Buffer): unknown {
  return body.length === 0 ? undefined : (JSON.parse(body.toString('utf8')) as unknown);
}

export function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /^application\/json\s*(;|$)/i.test(value.trim());
}
