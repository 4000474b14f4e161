// The Loyalty API sandbox: an HTTP emulator of the Vipps MobilePay Loyalty API (token endpoint + the
// events endpoint) with inspection endpoints and fault injection, for the demo, the e2e tests and users
// who want to try the job without side effects. The real API, as far as we know it: src/api/loyalty-api.md.
//
// Endpoints:
//   POST /accesstoken/get           token (gateway-shaped 401 on bad credentials)
//   POST /loyalty/v1/events         the API: headers → token → body → injected faults → dedup → apply
//   GET  /_sandbox/members[?includeDeleted=true]   {"members": MemberState[]}
//   GET  /_sandbox/members/:contactId              MemberState, 404 problem if never seen
//   GET  /_sandbox/events[?contactId=]             {"recording": boolean, "events": RecordedEvent[]}
//   GET  /_sandbox/stats                           SandboxStats
//   GET  /_sandbox/merchants                       {"merchants": [{merchantSerialNumber, members, accepted}]}
//   POST /_sandbox/reset                           {"status":"reset"}
//   GET|POST /_sandbox/faults                      SandboxFaults (POST body: a partial patch)
// Each of members, events, stats and faults takes `?msn=<Merchant-Serial-Number>`: that merchant's alone
// (its club, its counters, its own faults); without it, the sandbox as one club (as a sandbox serving one
// merchant always was), and the sandbox's faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { validateEvent } from '../api/events.ts';
import { ConfigError } from '../errors.ts';
import { AccessTokens } from './access-tokens.ts';
import { bodyDigest } from './canonical-json.ts';
import { corrupt, EventLogFile } from './event-log-file.ts';
import { createEventsHandler } from './events-route.ts';
import { MerchantFaults } from './merchant-faults.ts';
import { readBody, sendProblem } from './http-messages.ts';
import { handleInspection, type InspectionContext } from './inspection-routes.ts';
import type { MemberState } from './member-registry.ts';
import { formatOptionIssues, parseSandboxOptions, type SandboxFaults, type SandboxFaultsPatch, type SandboxOptions } from './sandbox-options.ts';
import { type RecordedEvent, SandboxState } from './sandbox-state.ts';
import type { SandboxStats } from './sandbox-stats.ts';
import { createTokenHandler } from './token-route.ts';

export type { Anomaly, SandboxStats } from './sandbox-stats.ts';
export type { AnomalyReason, MemberState } from './member-registry.ts';
export type { RecordedEvent } from './sandbox-state.ts';
export type { SandboxCredentials, SandboxFaults, SandboxFaultsPatch, SandboxOptions } from './sandbox-options.ts';

export interface Sandbox {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, drops open connections and closes the state file. Idempotent. */
  close(): Promise<void>;
  /** Changes some fault settings (ConfigError if invalid); the same as POST /_sandbox/faults. */
  /** `merchantSerialNumber`: that merchant's own faults (a copy of the sandbox's, patched). */
  setFaults(faults: SandboxFaultsPatch, merchantSerialNumber?: string): void;
  faults(merchantSerialNumber?: string): SandboxFaults;
  /** Clears members, events, dedup memory, counters and the state file; restarts the fault PRNG from its seed. */
  reset(): void;
  /** One merchant's counters, or every merchant's added up. */
  stats(merchantSerialNumber?: string): SandboxStats;
  member(contactId: string, merchantSerialNumber?: string): MemberState | undefined;
  /** Sorted by contactId; active members only unless `includeDeleted`; one merchant's, or every merchant's. */
  members(options?: { includeDeleted?: boolean; merchantSerialNumber?: string }): MemberState[];
  /** Accepted events in arrival order (empty when `recordEvents` is false). */
  events(contactId?: string, merchantSerialNumber?: string): RecordedEvent[];
  /** The serial numbers that sent anything, sorted. */
  merchantSerialNumbers(): string[];
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const parsed = parseSandboxOptions(options);
  if (!parsed.ok) throw new ConfigError(`invalid sandbox options: ${formatOptionIssues(parsed.issues)}`);
  const config = parsed.value;
  const state = new SandboxState({ recordEvents: config.recordEvents });
  const faults = new MerchantFaults(config.faults);
  const tokens = new AccessTokens({ credentials: config.credentials, lifetimeSeconds: config.tokenLifetimeSeconds, now: config.now });
  const log = config.stateFile === undefined ? undefined : restoreFromLog(config.stateFile, state);
  const delays = new DelayTimers();

  const reset = (): void => {
    state.clear();
    faults.restart();
    log?.truncate();
  };
  const inspection: InspectionContext = { state, faults, reset };
  const handleEvent = createEventsHandler({ state, faults, tokens, log, now: config.now, sleep: delays.sleep });
  const handleToken = createTokenHandler({ state, faults, tokens, sleep: delays.sleep });

  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/loyalty/v1/events' && req.method === 'POST') return handleEvent(req, res);
    if (path === '/accesstoken/get' && req.method === 'POST') return handleToken(req, res);
    if (path?.startsWith('/_sandbox/')) return handleInspection(inspection, req, res);
    return notFound(req, res);
  };
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => answerUnexpected(res, error));
  });

  let port: number;
  try {
    port = await listen(server, config.host, config.port);
  } catch (error) {
    log?.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(config.host)}:${port}`,
    port,
    close: () => {
      closing ??= shutDown(server, delays, log);
      return closing;
    },
    setFaults: (patch, merchantSerialNumber) => void faults.update(patch, merchantSerialNumber),
    faults: (merchantSerialNumber) => structuredClone(faults.of(merchantSerialNumber).faults),
    reset,
    stats: (merchantSerialNumber) => state.stats(merchantSerialNumber),
    member: (contactId, merchantSerialNumber) => state.member(contactId, merchantSerialNumber),
    members: (opts) => state.members(opts?.includeDeleted ?? false, opts?.merchantSerialNumber),
    events: (contactId, merchantSerialNumber) => state.events(contactId, merchantSerialNumber),
    merchantSerialNumbers: () => state.merchantSerialNumbers(),
  };
}

/** Replays the state file into `state` and returns it opened for appending. */
function restoreFromLog(path: string, state: SandboxState): EventLogFile {
  const { log, entries } = EventLogFile.open(path);
  try {
    for (const entry of entries) {
      const result = validateEvent(entry.event);
      if (!result.ok) throw corrupt(path, entry.line, `the logged event is no longer valid: ${result.errors.join('; ')}`);
      const digest = bodyDigest(entry.event);
      // A logged eventId appears once per merchant; tolerate a repeat (e.g. a hand-merged file) as a no-op.
      const admissions = state.admission(entry.merchantSerialNumber, result.event.eventId, digest);
      if (admissions.sandbox === 'new' || admissions.merchant === 'new') state.commit(entry.merchantSerialNumber, result.event, digest, entry.receivedAt, admissions, { countDuplicates: false });
    }
  } catch (error) {
    log.close();
    throw error;
  }
  return log;
}

/** Latency timers, cancelled on close so a closed sandbox leaves nothing scheduled. */
class DelayTimers {
  readonly #timers = new Set<NodeJS.Timeout>();

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });

  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function shutDown(server: Server, delays: DelayTimers, log: EventLogFile | undefined): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  delays.cancelAll();
  await closed;
  log?.close();
}

async function notFound(req: IncomingMessage, res: ServerResponse): Promise<void> {
  await readBody(req);
  sendProblem(res, { status: 404, slug: 'not-found', title: 'Not found', detail: `no endpoint ${req.method} ${req.url}` });
}

/** A bug or a broken client stream: answer 500 if still possible, else drop the connection. */
function answerUnexpected(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  sendProblem(res, { status: 500, slug: 'internal-error', title: 'Internal error', detail: `sandbox error: ${(error as Error)?.message ?? String(error)}` });
}

/** A host clients can connect to: the unspecified address is reached via loopback; IPv6 needs brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
