// `loyalty-sync sandbox`: runs the Loyalty API sandbox in the foreground until SIGINT/SIGTERM.
// Flags are parsed strictly; every value is checked by the sandbox's own option schemas and a bad one
// becomes a UsageError naming the flag (the top-level handler maps it to exit code 2).
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { type OptionIssue, parseSandboxOptions, type ResolvedSandboxOptions } from './sandbox-options.ts';
import { startSandbox } from './server.ts';

const DEFAULT_PORT = 8080;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'latency-ms': { type: 'string' },
  'jitter-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  'rate-limit': { type: 'string' },
  'retry-after': { type: 'string' },
  capacity: { type: 'string' },
  'fail-contacts': { type: 'string' },
  'reset-rate': { type: 'string' },
  'drop-rate': { type: 'string' },
  'non-json-accept-rate': { type: 'string' },
  'echo-credentials': { type: 'boolean' },
  'error-body-bytes': { type: 'string' },
  'token-latency-ms': { type: 'string' },
  'token-fail-status': { type: 'string' },
  'token-fail-count': { type: 'string' },
  'token-retry-after': { type: 'string' },
  seed: { type: 'string' },
  'state-file': { type: 'string' },
  'no-record-events': { type: 'boolean' },
  'token-lifetime': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'subscription-key': { type: 'string' },
  'merchant-serial-number': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
type Flags = ReturnType<typeof parseFlags>;

/** Credential field → its flag and environment variable; enforced only when all four are set. */
const CREDENTIAL_SOURCES = {
  clientId: ['client-id', 'LOYALTY_SYNC_SANDBOX_CLIENT_ID'],
  clientSecret: ['client-secret', 'LOYALTY_SYNC_SANDBOX_CLIENT_SECRET'],
  subscriptionKey: ['subscription-key', 'LOYALTY_SYNC_SANDBOX_SUBSCRIPTION_KEY'],
  merchantSerialNumber: ['merchant-serial-number', 'LOYALTY_SYNC_SANDBOX_MERCHANT_SERIAL_NUMBER'],
} as const;

/** Option path (as the schema reports it) → the flag that sets it, for error messages. */
const FLAG_OF_OPTION: Record<string, string> = {
  port: '--port',
  host: '--host',
  tokenLifetimeSeconds: '--token-lifetime',
  stateFile: '--state-file',
  'faults.latencyMs': '--latency-ms',
  'faults.jitterMs': '--jitter-ms',
  'faults.errorRate': '--error-rate',
  'faults.rateLimit.requestsPerSecond': '--rate-limit',
  'faults.rateLimit.retryAfterSeconds': '--retry-after',
  'faults.capacity': '--capacity',
  'faults.failContactIds': '--fail-contacts',
  'faults.resetRate': '--reset-rate',
  'faults.acceptThenDropRate': '--drop-rate',
  'faults.nonJsonAcceptRate': '--non-json-accept-rate',
  'faults.errorBodyBytes': '--error-body-bytes',
  'faults.tokenLatencyMs': '--token-latency-ms',
  'faults.tokenFailures.status': '--token-fail-status',
  'faults.tokenFailures.count': '--token-fail-count',
  'faults.tokenFailures.retryAfterSeconds': '--token-retry-after',
  'faults.seed': '--seed',
  ...Object.fromEntries(Object.entries(CREDENTIAL_SOURCES).map(([field, [flag]]) => [`credentials.${field}`, `--${flag}`])),
};

export const SANDBOX_USAGE = `Usage: loyalty-sync sandbox [options]

Runs an emulator of the Vipps MobilePay Loyalty API until Ctrl-C (SIGINT) or SIGTERM.

  --port <n>                  port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <address>            address to listen on (default 127.0.0.1)
  --token-lifetime <s>        access token lifetime in seconds (default 3600)
  --state-file <path>         keep accepted events in this JSONL file, replayed on start
  --no-record-events          keep no event bodies for /_sandbox/events (for millions of events)
  --latency-ms <n>            delay every request by n ms
  --jitter-ms <n>             plus a random 0..n ms
  --error-rate <0..1>         share of valid events answered 500/502/503 without applying them
  --rate-limit <rps>          answer 429 above this many event requests per second, counted per
                              Merchant-Serial-Number (a token bucket holding one second's worth)
  --retry-after <s>           Retry-After seconds on 429 (default 1; needs --rate-limit)
  --capacity <n>              serve at most n event requests at once; more wait for a free place, so
                              beyond n in flight the latency grows and the throughput does not
  --fail-contacts <a,b>       answer a permanent 400 for events of these contactIds
  --reset-rate <0..1>         share of event requests whose connection is reset before processing
  --drop-rate <0..1>          share of accepted events whose answer is dropped (connection destroyed)
  --non-json-accept-rate <0..1>
                              share of accepted events answered 200 with an HTML page instead of the
                              accepted JSON (with --drop-rate at most 1 in all)
  --echo-credentials          error answers echo what was sent: the token endpoint the credentials,
                              the events endpoint every request header (bearer token, key)
  --error-body-bytes <n>      pad every error answer's detail to n bytes (e.g. 5000000)
  --token-latency-ms <n>      delay every token request by n ms more
  --token-fail-status <code>  answer token requests with this status (e.g. 503, 429, 401)
  --token-fail-count <n>      ... only the next n of them (default: all)
  --token-retry-after <s>     ... with Retry-After: s
  --seed <n>                  seed for every random fault decision (printed by GET /_sandbox/faults)
  --client-id, --client-secret, --subscription-key, --merchant-serial-number <value>
                              enforce these credentials (all four, or none); also read from
                              LOYALTY_SYNC_SANDBOX_CLIENT_ID, _CLIENT_SECRET, _SUBSCRIPTION_KEY,
                              _MERCHANT_SERIAL_NUMBER
  -h, --help                  show this help
`;

export interface SandboxCommandIo {
  /** Where the listening line goes (default process.stdout). */
  stdout?: { write(text: string): unknown };
  /** Stops the sandbox like SIGINT/SIGTERM do, for callers that run it in-process. */
  signal?: AbortSignal;
}

export async function runSandboxCommand(args: string[], env: NodeJS.ProcessEnv, io: SandboxCommandIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const flags = parseFlags(args);
  if (flags.help) {
    stdout.write(SANDBOX_USAGE);
    return;
  }
  const options = toSandboxOptions(flags, env);
  const sandbox = await startSandbox(options);
  try {
    stdout.write(
      `Loyalty API sandbox listening on ${sandbox.url} (POST /accesstoken/get, POST /loyalty/v1/events; ` +
        `inspect: curl ${sandbox.url}/_sandbox/members | /_sandbox/events | /_sandbox/stats | /_sandbox/faults; ` +
        `POST /_sandbox/reset)${options.credentials ? '; credentials enforced' : ''}\n`,
    );
    await stopRequested(io.signal);
  } finally {
    await sandbox.close();
  }
}

function parseFlags(args: string[]) {
  try {
    return parseArgs({ args, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`sandbox: ${(error as Error).message}`);
  }
}

function toSandboxOptions(flags: Flags, env: NodeJS.ProcessEnv): ResolvedSandboxOptions {
  if (flags['retry-after'] !== undefined && flags['rate-limit'] === undefined) {
    throw new UsageError('sandbox: --retry-after needs --rate-limit');
  }
  if ((flags['token-fail-count'] ?? flags['token-retry-after']) !== undefined && flags['token-fail-status'] === undefined) {
    throw new UsageError('sandbox: --token-fail-count and --token-retry-after need --token-fail-status');
  }
  const tokenFailures = flags['token-fail-status'] === undefined ? undefined : {
    status: numberFlag('token-fail-status', flags['token-fail-status']),
    count: numberFlag('token-fail-count', flags['token-fail-count']),
    retryAfterSeconds: numberFlag('token-retry-after', flags['token-retry-after']),
  };
  const rateLimit = flags['rate-limit'] === undefined ? undefined : {
    requestsPerSecond: numberFlag('rate-limit', flags['rate-limit']),
    retryAfterSeconds: numberFlag('retry-after', flags['retry-after']),
  };
  const candidate = {
    host: flags.host,
    port: numberFlag('port', flags.port) ?? DEFAULT_PORT,
    tokenLifetimeSeconds: numberFlag('token-lifetime', flags['token-lifetime']),
    stateFile: flags['state-file'],
    recordEvents: !flags['no-record-events'],
    credentials: credentialsFrom(flags, env),
    faults: {
      latencyMs: numberFlag('latency-ms', flags['latency-ms']),
      jitterMs: numberFlag('jitter-ms', flags['jitter-ms']),
      errorRate: numberFlag('error-rate', flags['error-rate']),
      rateLimit,
      capacity: numberFlag('capacity', flags.capacity),
      failContactIds: flags['fail-contacts']?.split(',').map((id) => id.trim()).filter((id) => id !== ''),
      resetRate: numberFlag('reset-rate', flags['reset-rate']),
      acceptThenDropRate: numberFlag('drop-rate', flags['drop-rate']),
      nonJsonAcceptRate: numberFlag('non-json-accept-rate', flags['non-json-accept-rate']),
      echoCredentials: flags['echo-credentials'],
      errorBodyBytes: numberFlag('error-body-bytes', flags['error-body-bytes']),
      tokenLatencyMs: numberFlag('token-latency-ms', flags['token-latency-ms']),
      tokenFailures,
      seed: numberFlag('seed', flags.seed),
    },
  };
  const parsed = parseSandboxOptions(candidate);
  if (!parsed.ok) throw new UsageError(`sandbox: ${parsed.issues.map(describeIssue).join('; ')}`);
  return parsed.value;
}

/** A flag's number, `undefined` when the flag is absent; range checks are left to the schema. */
function numberFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`sandbox: --${flag}: expected a number, got "${raw}"`);
  return value;
}

function credentialsFrom(flags: Flags, env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [field, [flag, variable]] of Object.entries(CREDENTIAL_SOURCES)) {
    const value = flags[flag] ?? env[variable];
    if (value === undefined || value === '') missing.push(`--${flag} (or ${variable})`);
    else values[field] = value;
  }
  if (missing.length === Object.keys(CREDENTIAL_SOURCES).length) return undefined;
  if (missing.length > 0) throw new UsageError(`sandbox: credentials are enforced only when all four are set; missing ${missing.join(', ')}`);
  return values;
}

function describeIssue(issue: OptionIssue): string {
  const flag = FLAG_OF_OPTION[issue.path] ?? issue.path;
  return `${flag}: ${issue.message}`;
}

function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
