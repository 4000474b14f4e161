// Options and fault settings of the Loyalty API sandbox, parsed once at the edge (startSandbox,
// setFaults, POST /_sandbox/faults, the CLI). Defaults live in this module and nowhere else.
import { randomInt } from 'node:crypto';
import { z } from 'zod';

const rate = z.number().min(0).max(1);
const nonEmpty = z.string().min(1);

/**
 * A partial fault setting, as `options.faults`, `setFaults()` and `POST /_sandbox/faults` take it.
 * No defaults here on purpose: zod's `.partial()` would still fill them in, and a patch must only
 * change what it names. `rateLimit: null` switches rate limiting off, `capacity: null` the capacity.
 */
export const sandboxFaultsPatchSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  jitterMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: rate.optional(),
  /** A token bucket per merchant serial number: beyond `requestsPerSecond` (a second's burst), 429 with Retry-After. `null`: off. */
  rateLimit: z
    .strictObject({
      requestsPerSecond: z.number().positive(),
      retryAfterSeconds: z.number().int().min(0).default(1),
    })
    .nullable()
    .optional(),
  /**
   * Requests the service works on at once: one more waits for a free place, then takes its full latency,
   * so beyond this many in flight the latency grows and the throughput does not. `null`: no limit.
   */
  capacity: z.number().int().min(1).max(1_000_000).nullable().optional(),
  failContactIds: z.array(nonEmpty).optional(),
  resetRate: rate.optional(),
  acceptThenDropRate: rate.optional(),
  /**
   * Share of valid events that are applied and then answered `200` with an HTML body instead of the
   * accepted JSON (a proxy or a broken service). Shares its draw with `acceptThenDropRate`: together ≤ 1.
   */
  nonJsonAcceptRate: rate.optional(),
  /** Error answers echo what the client sent: the token endpoint its credentials, the events endpoint every request header. */
  echoCredentials: z.boolean().optional(),
  /** Error answers carry a problem `detail` (gateway `message`) padded to this many bytes (0: off). */
  errorBodyBytes: z.number().int().min(0).max(64 * 1024 * 1024).optional(),
  /** Extra delay of every token request, on top of `latencyMs`. */
  tokenLatencyMs: z.number().int().min(0).max(600_000).optional(),
  /**
   * The token endpoint answers `status` instead of a token: to the next `count` requests (every request
   * when absent), with `Retry-After: retryAfterSeconds` when given. `null` switches it off.
   */
  tokenFailures: z
    .strictObject({
      status: z.number().int().min(400).max(599),
      count: z.number().int().min(1).optional(),
      retryAfterSeconds: z.number().int().min(0).optional(),
    })
    .nullable()
    .optional(),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
});
export type SandboxFaultsPatch = z.input<typeof sandboxFaultsPatchSchema>;
type FaultsPatchOutput = z.output<typeof sandboxFaultsPatchSchema>;
/** The fault settings in force: every field set (`rateLimit: null` = off). */
export type SandboxFaults = { [K in keyof FaultsPatchOutput]-?: Exclude<FaultsPatchOutput[K], undefined> };
export type RateLimit = NonNullable<SandboxFaults['rateLimit']>;
export type TokenFailures = NonNullable<SandboxFaults['tokenFailures']>;

const DEFAULT_FAULTS: Omit<SandboxFaults, 'seed'> = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  rateLimit: null,
  capacity: null,
  failContactIds: [],
  resetRate: 0,
  acceptThenDropRate: 0,
  nonJsonAcceptRate: 0,
  echoCredentials: false,
  errorBodyBytes: 0,
  tokenLatencyMs: 0,
  tokenFailures: null,
};

/** Fault settings after applying `patch` to `base` (or to the defaults); an unset seed is drawn at random. */
export function mergeFaults(patch: FaultsPatchOutput, base?: SandboxFaults): SandboxFaults {
  const merged: SandboxFaults = { ...(base ?? { ...DEFAULT_FAULTS, seed: randomInt(0x1_0000_0000) }) };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  merged.failContactIds = [...merged.failContactIds];
  return Object.freeze(merged);
}

export const sandboxCredentialsSchema = z.strictObject({
  clientId: nonEmpty,
  clientSecret: nonEmpty,
  subscriptionKey: nonEmpty,
  merchantSerialNumber: nonEmpty,
});
export type SandboxCredentials = z.infer<typeof sandboxCredentialsSchema>;

export const sandboxOptionsSchema = z.strictObject({
  host: nonEmpty.default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(0),
  /** When given, the token endpoint and the event headers must match; otherwise any non-empty values pass. */
  credentials: sandboxCredentialsSchema.optional(),
  tokenLifetimeSeconds: z.number().int().positive().default(3600),
  faults: sandboxFaultsPatchSchema.default({}),
  /** Append-only JSONL log of accepted events, replayed on start (see event-log-file.ts). */
  stateFile: nonEmpty.optional(),
  /** `false` keeps only the dedup memory and member state, not the event list (for big benchmarks). */
  recordEvents: z.boolean().default(true),
  /** Clock in epoch milliseconds: token expiry, the rate-limit bucket and `receivedAt` all read it. */
  now: z.custom<() => number>((value) => typeof value === 'function', 'expected a function returning epoch milliseconds').default(() => Date.now),
});
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;
export type ResolvedSandboxOptions = Readonly<Omit<z.output<typeof sandboxOptionsSchema>, 'faults'> & { faults: SandboxFaults }>;

export interface OptionIssue {
  /** Dotted path of the bad option, e.g. `faults.errorRate`. */
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: OptionIssue[] };

export function parseSandboxOptions(input: unknown): Parsed<ResolvedSandboxOptions> {
  const parsed = sandboxOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, issues: toOptionIssues(parsed.error.issues) };
  return { ok: true, value: Object.freeze({ ...parsed.data, faults: mergeFaults(parsed.data.faults) }) };
}

export function parseFaultsPatch(input: unknown): Parsed<FaultsPatchOutput> {
  const parsed = sandboxFaultsPatchSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: toOptionIssues(parsed.error.issues) };
  return { ok: true, value: parsed.data };
}

export function formatOptionIssues(issues: readonly OptionIssue[]): string {
  return issues.map((issue) => `${issue.path || '(options)'}: ${issue.message}`).join('; ');
}

function toOptionIssues(issues: readonly z.core.$ZodIssue[]): OptionIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
