// /_sandbox/*: read what the sandbox received and believes, reset it, and change its faults from
// another process (e.g. an e2e test driving a sandbox started by the CLI). Not part of the real API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MerchantFaults } from './merchant-faults.ts';
import { parseJsonBody, readBody, sendJson, sendProblem } from './http-messages.ts';
import { parseFaultsPatch } from './sandbox-options.ts';
import type { SandboxState } from './sandbox-state.ts';

export interface InspectionContext {
  state: SandboxState;
  faults: MerchantFaults;
  /** The same reset as `sandbox.reset()`: state, counters, state file, PRNG and rate-limit bucket. */
  reset(): void;
}

type Handler = (ctx: InspectionContext, url: URL, req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  '/_sandbox/members': { GET: listMembers },
  '/_sandbox/events': { GET: listEvents },
  '/_sandbox/stats': { GET: (ctx, url, _req, res) => sendJson(res, 200, ctx.state.stats(merchantOf(url))) },
  '/_sandbox/merchants': { GET: listMerchants },
  '/_sandbox/reset': { POST: resetSandbox },
  '/_sandbox/faults': { GET: (ctx, url, _req, res) => sendJson(res, 200, ctx.faults.of(merchantOf(url)).faults), POST: updateFaults },
};
const MEMBER_PREFIX = '/_sandbox/members/';

export async function handleInspection(ctx: InspectionContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const route = url.pathname.startsWith(MEMBER_PREFIX) ? { GET: showMember } : ROUTES[url.pathname];
  if (!route) {
    await readBody(req);
    sendProblem(res, { status: 404, slug: 'not-found', title: 'Not found', detail: `no sandbox endpoint ${url.pathname}` });
    return;
  }
  const handler = route[req.method ?? 'GET'];
  if (!handler) {
    await readBody(req);
    res.setHeader('Allow', Object.keys(route).join(', '));
    sendProblem(res, { status: 405, slug: 'method-not-allowed', title: 'Method not allowed', detail: `${req.method} ${url.pathname} is not supported` });
    return;
  }
  await handler(ctx, url, req, res);
}

/** `?msn=…`: one merchant's view; absent or empty: the sandbox as one club. */
function merchantOf(url: URL): string | undefined {
  return url.searchParams.get('msn') || undefined;
}

function listMembers(ctx: InspectionContext, url: URL, _req: IncomingMessage, res: ServerResponse): void {
  const includeDeleted = url.searchParams.get('includeDeleted') === 'true';
  sendJson(res, 200, { members: ctx.state.members(includeDeleted, merchantOf(url)) });
}

function listMerchants(ctx: InspectionContext, _url: URL, _req: IncomingMessage, res: ServerResponse): void {
  const merchants = ctx.state.merchantSerialNumbers().map((merchantSerialNumber) => ({
    merchantSerialNumber,
    members: ctx.state.members(false, merchantSerialNumber).length,
    accepted: ctx.state.stats(merchantSerialNumber).accepted,
  }));
  sendJson(res, 200, { merchants });
}

function showMember(ctx: InspectionContext, url: URL, _req: IncomingMessage, res: ServerResponse): void {
  const contactId = decodePathSegment(url.pathname.slice(MEMBER_PREFIX.length));
  const member = contactId === undefined ? undefined : ctx.state.member(contactId, merchantOf(url));
  if (member) sendJson(res, 200, member);
  else sendProblem(res, { status: 404, slug: 'member-not-found', title: 'Member not found', detail: `no event was ever applied for contact ${contactId}` });
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed %-escape: no member can have that id
  }
}

function listEvents(ctx: InspectionContext, url: URL, _req: IncomingMessage, res: ServerResponse): void {
  const contactId = url.searchParams.get('contactId') ?? undefined;
  // `recording: false` tells a reader why the list is empty when recordEvents is off.
  sendJson(res, 200, { recording: ctx.state.recordsEvents, events: ctx.state.events(contactId, merchantOf(url)) });
}

async function resetSandbox(ctx: InspectionContext, _url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await readBody(req);
  ctx.reset();
  sendJson(res, 200, { status: 'reset' });
}

async function updateFaults(ctx: InspectionContext, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  let json: unknown;
  try {
    json = body === undefined ? undefined : parseJsonBody(body);
  } catch (error) {
    sendProblem(res, { status: 400, slug: 'invalid-faults', title: 'Invalid faults', detail: `the body is not valid JSON: ${(error as Error).message}` });
    return;
  }
  const patch = parseFaultsPatch(json ?? {});
  if (!patch.ok) {
    sendProblem(res, {
      status: 400,
      slug: 'invalid-faults',
      title: 'Invalid faults',
      detail: `invalid field(s): ${patch.issues.map((issue) => issue.path || '(body)').join(', ')}`,
      extraDetails: patch.issues.map((issue) => ({ field: issue.path || '(body)', message: issue.message })),
    });
    return;
  }
  sendJson(res, 200, ctx.faults.update(patch.value, merchantOf(url)));
}
