// POST /loyalty/v1/events: the one endpoint of the Loyalty API, with injected faults. The checks run in
// the order the real service would meet them: the gateway (subscription key and token: 401 before any
// other header is looked at; then the merchant's rate limit), the required headers, then the body
// (media type, JSON, schema), then the service (injected failures, dedup, apply).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { LoyaltyEvent } from '../api/events.ts';
import { type AccessTokens, headerValue, type Verdict } from './access-tokens.ts';
import { bodyDigest } from './canonical-json.ts';
import type { EventLogFile } from './event-log-file.ts';
import { validateEventBody } from './event-validation.ts';
import type { FaultInjector, FaultPlan } from './fault-injector.ts';
import type { MerchantFaults } from './merchant-faults.ts';
import { misbehavingErrorBody } from './error-answers.ts';
import { type FieldIssue, gatewayBody, isJsonContentType, MAX_BODY_BYTES, parseJsonBody, type ProblemInit, problemBody, readBody, sendJson, sendText } from './http-messages.ts';
import type { SandboxState } from './sandbox-state.ts';
import type { Counter } from './sandbox-state.ts';

export interface EventsRouteContext {
  state: SandboxState;
  faults: MerchantFaults;
  tokens: AccessTokens;
  log: EventLogFile | undefined;
  now: () => number;
  /** Resolves after `ms`; never resolves once the sandbox closes (the socket is gone by then). */
  sleep(ms: number): Promise<void>;
}

/** One request's view: its merchant's faults, and its counters (the sandbox's and its merchant's). */
interface RequestContext extends Omit<EventsRouteContext, 'faults'> {
  merchantSerialNumber: string;
  faults: FaultInjector;
  count(counter: Counter): void;
}

interface Reply {
  status: number;
  body: unknown;
  contentType: string;
  headers?: Record<string, string>;
  /** Answer nothing and destroy the socket, although the event was accepted (acceptThenDropRate). */
  drop?: boolean;
  /** Answer 200 with an HTML page instead of the accepted JSON, although the event was accepted (nonJsonAcceptRate). */
  nonJson?: boolean;
}

/** What a proxy in front of a broken service might answer with a 200. */
const NON_JSON_OK = '<html><head><title>OK</title></head><body>Request processed.</body></html>';

const REQUIRED_HEADERS = ['Ocp-Apim-Subscription-Key', 'Merchant-Serial-Number'] as const;
/** The four system headers, each at most 30 characters (see the API note, "Headers"). */
const SYSTEM_HEADERS = ['Vipps-System-Name', 'Vipps-System-Version', 'Vipps-System-Plugin-Name', 'Vipps-System-Plugin-Version'] as const;
const SYSTEM_HEADER_MAX = 30;

export function createEventsHandler(ctx: EventsRouteContext): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const arrivedAt = performance.now();
    // The merchant is known from the headers, before the body: its faults decide what this request meets.
    const merchantSerialNumber = headerValue(req.headers, 'Merchant-Serial-Number') ?? '';
    const count = (counter: Counter) => ctx.state.count(merchantSerialNumber, counter);
    const request: RequestContext = { ...ctx, merchantSerialNumber, faults: ctx.faults.of(merchantSerialNumber), count };
    count('requests');
    const plan = request.faults.plan();
    if (plan.reset) {
      count('resets');
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const reply = decideEvent(request, req.headers, body, plan);
    // Injected latency is the time from the request's arrival to its answer, as a client of a slow API
    // sees it: the sandbox's own reading and processing count towards it. With a capacity, that time is
    // spent in one of the service's places, and a request finding them all taken waits for one first.
    const busyMs = Math.max(0, plan.delayMs - (performance.now() - arrivedAt));
    if (plan.delayMs > 0) count('delayed');
    if (request.faults.atCapacity) count('queued');
    await request.faults.serve(() => (busyMs > 0 ? ctx.sleep(busyMs) : Promise.resolve()));
    if (reply.drop) {
      count('drops');
      req.socket.destroy();
      return;
    }
    ctx.state.countStatus(merchantSerialNumber, reply.status);
    if (reply.nonJson) {
      count('nonJsonAnswers');
      sendText(res, 200, NON_JSON_OK, 'text/html; charset=utf-8');
      return;
    }
    const answer = reply.status >= 400 ? misbehavingErrorBody(reply.body as Record<string, unknown>, req.headers, request.faults.faults) : reply.body;
    sendJson(res, reply.status, answer, reply.headers, reply.contentType);
  };
}

/** Synchronous from here on, so dedup check and apply cannot interleave with another request. */
function decideEvent(ctx: RequestContext, headers: IncomingHttpHeaders, body: Buffer | undefined, plan: FaultPlan): Reply {
  return (
    unauthorized(ctx, headers) ??
    rateLimited(ctx) ??
    badHeaders(headers) ??
    wrongMerchant(ctx, headers) ??
    processBody(ctx, headers, body, plan)
  );
}

/** The gateway's quota is per merchant: each serial number has its own bucket. */
function rateLimited(ctx: RequestContext): Reply | undefined {
  const retryAfter = ctx.faults.rateLimit(ctx.merchantSerialNumber, ctx.now());
  if (retryAfter === undefined) return undefined;
  ctx.count('rateLimited');
  return {
    ...gateway(429, `Rate limit is exceeded. Try again in ${retryAfter} seconds.`),
    headers: { 'Retry-After': String(retryAfter) },
  };
}

function badHeaders(headers: IncomingHttpHeaders): Reply | undefined {
  const issues: FieldIssue[] = [];
  for (const name of [...REQUIRED_HEADERS, ...SYSTEM_HEADERS]) {
    const value = headerValue(headers, name);
    if (value === undefined) issues.push({ field: name, message: 'required header is missing or empty' });
    else if ((SYSTEM_HEADERS as readonly string[]).includes(name) && value.length > SYSTEM_HEADER_MAX) {
      issues.push({ field: name, message: `expected at most ${SYSTEM_HEADER_MAX} characters, got ${value.length}` });
    }
  }
  if (issues.length === 0) return undefined;
  return problem({
    status: 400,
    slug: 'invalid-headers',
    title: 'Invalid request headers',
    detail: `Fix these headers: ${issues.map((issue) => issue.field).join(', ')}`,
    extraDetails: issues,
  });
}

/** The gateway's own checks: a subscription key and a valid token, before anything else is read. */
function unauthorized(ctx: RequestContext, headers: IncomingHttpHeaders): Reply | undefined {
  return refusal(ctx.tokens.checkGateway(headers));
}

/** With enforced credentials, the merchant serial number must be the one the credentials belong to. */
function wrongMerchant(ctx: RequestContext, headers: IncomingHttpHeaders): Reply | undefined {
  return refusal(ctx.tokens.checkMerchant(headers));
}

function refusal(verdict: Verdict): Reply | undefined {
  if (verdict.ok) return undefined;
  return { ...gateway(401, verdict.message), headers: { 'WWW-Authenticate': 'Bearer' } };
}

function processBody(ctx: RequestContext, headers: IncomingHttpHeaders, body: Buffer | undefined, plan: FaultPlan): Reply {
  if (!isJsonContentType(headerValue(headers, 'content-type'))) {
    return invalidEvent(`expected Content-Type: application/json, got ${headerValue(headers, 'content-type') ?? 'none'}`, [
      { field: 'Content-Type', message: 'expected application/json' },
    ]);
  }
  if (body === undefined) {
    return problem({ status: 413, slug: 'body-too-large', title: 'Request body too large', detail: `expected at most ${MAX_BODY_BYTES} bytes` });
  }
  let json: unknown;
  try {
    json = parseJsonBody(body);
  } catch (error) {
    return invalidEvent(`the body is not valid JSON: ${(error as Error).message}`, [{ field: '(body)', message: 'not valid JSON' }]);
  }
  const validation = validateEventBody(json);
  if (!validation.ok) {
    return invalidEvent(`invalid field(s): ${[...new Set(validation.issues.map((issue) => issue.field))].join(', ')}`, validation.issues);
  }
  return injectedFailure(ctx, validation.event, plan) ?? admit(ctx, validation.event, json, plan);
}

function injectedFailure(ctx: RequestContext, event: LoyaltyEvent, plan: FaultPlan): Reply | undefined {
  const { contactId } = event.payload;
  if (ctx.faults.failsContact(contactId)) {
    ctx.count('failedContacts');
    return problem({
      status: 400,
      slug: 'contact-rejected',
      title: 'Contact rejected',
      detail: `events for contact ${contactId} are rejected (sandbox fault failContactIds)`,
      extraDetails: [{ field: 'payload.contactId', message: `contact ${contactId} is rejected` }],
    });
  }
  if (plan.serverError !== undefined) {
    ctx.count('serverErrors');
    return problem({
      status: plan.serverError,
      slug: 'server-error',
      title: 'Server error',
      detail: `injected fault (errorRate): event ${event.eventId} was not applied; retry it`,
    });
  }
  return undefined;
}

function admit(ctx: RequestContext, event: LoyaltyEvent, json: unknown, plan: FaultPlan): Reply {
  const { state, merchantSerialNumber } = ctx;
  const digest = bodyDigest(json);
  const admissions = state.admission(merchantSerialNumber, event.eventId, digest);
  if (admissions.sandbox === 'conflict' || admissions.merchant === 'conflict') {
    return problem({
      status: 409,
      slug: 'event-id-conflict',
      title: 'Event id reused',
      detail: `eventId ${event.eventId} was already accepted with a different body`,
      extraDetails: [{ field: 'eventId', message: 'already used for another event' }],
    });
  }
  const receivedAt = new Date(ctx.now()).toISOString();
  if (admissions.sandbox === 'new' || admissions.merchant === 'new') {
    try {
      ctx.log?.append(receivedAt, merchantSerialNumber, json); // before applying and answering: an answered event is on disk
    } catch (error) {
      return problem({ status: 500, slug: 'state-file-write-failed', title: 'Server error', detail: `could not write the sandbox state file: ${(error as Error).message}` });
    }
  }
  state.commit(merchantSerialNumber, event, digest, receivedAt, admissions);
  return { status: 200, contentType: 'application/json', body: { status: 'accepted', eventId: event.eventId }, drop: plan.drop, nonJson: plan.nonJsonAnswer };
}

function invalidEvent(detail: string, extraDetails: FieldIssue[]): Reply {
  return problem({ status: 400, slug: 'invalid-event', title: 'Invalid event', detail, extraDetails });
}

function problem(init: ProblemInit): Reply {
  return { status: init.status, contentType: 'application/problem+json', body: problemBody(init) };
}

function gateway(status: number, message: string): Reply {
  return { status, contentType: 'application/json', body: gatewayBody(status, message) };
}
