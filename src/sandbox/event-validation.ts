// Validates an event body with the project's own schemas (src/api/events.ts), so the sandbox refuses
// exactly what the job's schemas refuse, and turns the result into problem+json `extraDetails`.
import { actionSchema, payloadSchemas, validateEvent, type LoyaltyEvent } from '../api/events.ts';
import type { FieldIssue } from './http-messages.ts';

export type EventValidation = { ok: true; event: LoyaltyEvent } | { ok: false; issues: FieldIssue[] };

export function validateEventBody(body: unknown): EventValidation {
  const result = validateEvent(body);
  if (result.ok) return result;
  const issues = result.errors.map(toFieldIssue);
  // validateEvent() stops at the envelope: when e.g. the timestamp is wrong, the payload is not checked.
  // One answer should name every invalid field, so check the payload too when the action is known.
  if (!issues.some((issue) => isPayloadField(issue.field))) issues.push(...payloadIssues(body));
  return { ok: false, issues };
}

/** validateEvent() reports `path: message` strings; the path never contains ": " for our schemas' keys. */
function toFieldIssue(error: string): FieldIssue {
  const split = error.indexOf(': ');
  return split === -1 ? { field: '(body)', message: error } : { field: error.slice(0, split), message: error.slice(split + 2) };
}

function isPayloadField(field: string): boolean {
  return field === 'payload' || field.startsWith('payload.');
}

function payloadIssues(body: unknown): FieldIssue[] {
  if (typeof body !== 'object' || body === null) return [];
  const { action, payload } = body as { action?: unknown; payload?: unknown };
  const known = actionSchema.safeParse(action);
  if (!known.success || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return [];
  const parsed = payloadSchemas[known.data].safeParse(payload);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({ field: ['payload', ...issue.path.map(String)].join('.'), message: issue.message }));
}
