// The configuration, parsed once at the edge. Defaults live here and nowhere else.
import { z } from 'zod';
import { ITEM_EVENT_MODES } from '../base/item-events.ts';
import { CURRENCY_CODE, EXPORT_KINDS, KINDS, normaliseHeader } from '../base/kinds.ts';
import { SYSTEM_HEADER_MAX_LENGTH, TOOL_NAME, TOOL_VERSION } from '../base/tool.ts';
import { flag, int, path, timeZone } from './option-values.ts';
import { dropFolderSettingsSchema, fileGlobsSchema, sftpSettingsSchema } from './source-settings.ts';

/** Where the state file is when no option says. */
export const DEFAULT_STATE = 'loyalty-sync.sqlite';
export const DEFAULT_REPORT_DIR = 'reports';
const DEFAULT_TIME_ZONE = 'Europe/Oslo';
// Every credential and plugin name travels in an HTTP header: a line break (a secret pasted with its
// trailing newline) or another control character would split or break the request. Only what a header
// value may hold: tab, printable ASCII, Latin-1. The message never shows the value (it may be a secret).
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;
const sentInHeader = (schema: z.ZodString) =>
  schema.regex(HEADER_SAFE, 'is sent as an HTTP header and must not contain line breaks (CR/LF) or other control characters; check for a trailing newline');
const headerValue = sentInHeader(z.string().min(1).max(SYSTEM_HEADER_MAX_LENGTH, `at most ${SYSTEM_HEADER_MAX_LENGTH} characters (a Vipps-System-* header)`));

/** `i/N` (`--shard`, and a fleet's `--partition`): part i of N. */
export const partOfN = z
  .string()
  .regex(/^\d+\/\d+$/, 'expected i/N, e.g. 0/4')
  .transform((text) => {
    const [index, count] = text.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((value) => value.count >= 1 && value.index < value.count, 'expected 0 ≤ i < N');

const columnMapping = (kind: (typeof EXPORT_KINDS)[number]) =>
  z
    .partialRecord(z.enum(KINDS[kind].columns as [string, ...string[]]), z.string().min(1))
    .superRefine((mapping, context) => {
      // Two of our columns read from one header would make one value count twice (or the mapping has a typo).
      const byHeader = new Map<string, string>();
      for (const [column, header] of Object.entries(mapping)) {
        const key = normaliseHeader(header!);
        const other = byHeader.get(key);
        if (other) context.addIssue({ code: 'custom', path: [column], message: `maps ${other} and ${column} to the same header "${header}"` });
        byHeader.set(key, column);
      }
    })
    .default({});

const dialectSchema = z
  .strictObject({
    delimiter: z.enum(['auto', ',', ';', '\t', 'tab']).transform((value) => (value === 'tab' ? '\t' : value)).default('auto'),
    encoding: z.enum(['auto', 'utf-8', 'windows-1252']).default('auto'),
    dateFormat: z.enum(['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY']).default('YYYY-MM-DD'),
    /** Which instant a bare `valid_to` date means: the last second of that day, or its first (valid_from is always its first). */
    validToDate: z.enum(['end-of-day', 'start-of-day']).default('end-of-day'),
  })
  .prefault({});

/** What reading CSV files needs (the `validate` command needs only this part). */
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const ingestConfigSchema = z.object({
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code like NO').default('NO'),
  timeZone: timeZone.default(DEFAULT_TIME_ZONE),
  currency: z.string().regex(CURRENCY_CODE, 'expected a currency code like NOK').default('NOK'),
  dialect: dialectSchema,
  /** The file-name glob of each kind (`members*.csv`, …). */
  files: fileGlobsSchema.prefault({}),
  columns: z
    .strictObject({
      members: columnMapping('members'),
      coupons: columnMapping('coupons'),
      stampCards: columnMapping('stampCards'),
      bonusChecks: columnMapping('bonusChecks'),
    })
    .default({ members: {}, coupons: {}, stampCards: {}, bonusChecks: {} }),
});

const credentialsSchema = z.object({
  clientId: sentInHeader(z.string().min(1)),
  clientSecret: sentInHeader(z.string().min(1)),
  subscriptionKey: sentInHeader(z.string().min(1)),
  merchantSerialNumber: sentInHeader(z.string().min(1)),
});

export const runConfigSchema = ingestConfigSchema.extend({
  source: z.string().min(1),
  state: path.default(DEFAULT_STATE),
  reportDir: path.default(DEFAULT_REPORT_DIR),
  /**
   * Members sent in parallel: `auto` finds and holds the API's limit while sending (src/deliver/
   * adaptive-limit.ts), up to `maxConcurrency`; a number fixes it.
   */
  concurrency: z.union([z.literal('auto'), int(1, 256)], { error: 'expected auto or a whole number from 1 to 256' }).default('auto'),
  /** The most members `--concurrency auto` sends in parallel. */
  maxConcurrency: int(1, 256).default(64),
  /** At most this many requests a second (a merchant who knows the API's quota); none by default. */
  maxRate: z.coerce.number().positive().max(100_000).optional(),
  apiUrl: z.url({ protocol: /^https?$/ }).default('https://api.vipps.no'),
  dryRun: flag.default(false),
  full: flag.default(false),
  /** With --full: resend only these parts (default all). */
  only: z
    .string()
    .transform((text) => text.split(',').map((word) => word.trim()).filter(Boolean))
    .pipe(z.array(z.enum(EXPORT_KINDS)).min(1, 'name at least one of members, coupons, stampCards, bonusChecks'))
    .optional(),
  /** With --full: resend only these contacts (comma-separated), or the ones listed in a file (one per line). */
  contacts: z.string().transform((text) => text.split(',').map((word) => word.trim()).filter(Boolean)).optional(),
  contactsFile: z.string().optional(),
  allowMassDelete: flag.default(false),
  /** How coupon and stamp-card changes are sent: full replacements, per-item events, or whichever is smaller. */
  itemEvents: z.enum(ITEM_EVENT_MODES).default('synced'),
  /** Start a new state file on purpose where earlier runs left their mark (src/run/state-stage.ts). */
  newState: flag.default(false),
  /** Check the whole state file's integrity this run (it is checked on a schedule anyway: checkStateDays). */
  checkState: flag.default(false),
  /** Days between whole-file integrity checks of the state file (a cheaper check runs on every open); 0 = every run. */
  checkStateDays: z.coerce.number().min(0).max(3650).default(7),
  /** Consistent copies of the state file kept beside it, taken before a run commits; 0 = none. */
  stateBackups: int(0, 100).default(3),
  /** Run folders in the report dir older than this are removed (the 30 newest always stay); 0 = keep all. */
  reportRetentionDays: int(0, 36_500).default(90),
  /** A drop folder's archive/<date>/ folders and failed/ entries older than this are removed; 0 = keep all. */
  archiveRetentionDays: int(0, 36_500).default(30),
  /** Exit 5 instead of 0 when a run (or dry run) succeeded but rejected rows or left members untouched. */
  failOnRejects: flag.default(false),
  shard: partOfN.optional(),
  maxDeletePercent: z.coerce.number().min(0).max(100).default(5),
  /** Refuse a run in which more than this % of known members would lose a field's value or have a set emptied. */
  maxClearPercent: z.coerce.number().min(0).max(100).default(10),
  /** Override the mass-clear guard, and accept a column gone since the last successful run. */
  allowMassClear: flag.default(false),
  /** A file with fewer rows than this % of the same kind's file in the last successful run is refused. */
  minRowsPercent: z.coerce.number().min(0).max(100).default(50),
  requestTimeoutMs: int(100, 600_000).default(30_000),
  maxAttempts: int(1, 100).default(6),
  retryBaseDelayMs: int(1, 60_000).default(500),
  retryMaxDelayMs: int(1, 600_000).default(30_000),
  deadlineMinutes: z.coerce.number().positive().optional(),
  /** Members in a row that could not be delivered (nothing accepted in between) before the run stops: API_CIRCUIT_OPEN. */
  maxFailuresInARow: int(1, 1_000_000).default(20),
  /** A run lock whose heartbeat is older than this is taken over (its holder was killed or frozen). */
  lockStaleSeconds: z.coerce.number().min(1).max(86_400).default(120),
  /** How long the outbox keeps finished events (for `explain`'s history) before they are pruned. */
  historyDays: z.coerce.number().min(0).max(3650).default(14),
  /** After SIGTERM/SIGINT, how long requests in flight may take before they are abandoned. */
  gracePeriodSeconds: z.coerce.number().min(0).max(600).default(20),
  pluginName: headerValue.default(TOOL_NAME),
  pluginVersion: headerValue.default(TOOL_VERSION),
  /** Push metrics.prom to this Prometheus Pushgateway after every run. */
  pushgatewayUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The job name for the metrics (Pushgateway grouping and the sync_job label). */
  metricsJob: z.string().min(1).default('loyalty-sync'),
  /** POST a JSON summary (Slack-compatible `text`) here after a run that did not succeed. A secret: env or file only. */
  notifyUrl: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Read the export's kinds in this many threads at once; each extra thread costs ~50 MB of memory.
   * `auto`: two where there are two cores (the export's largest kind against the rest is an even split),
   * for an export of 16 MB or more (below, a thread's start-up costs more than it saves).
   */
  ingestThreads: z.union([z.literal('auto'), int(1, 4)], { error: 'expected auto or a whole number from 1 to 4' }).default('auto'),
  /**
   * Plan the members in this many threads at once, each a contact_id range. `auto`: two where there are
   * two cores, for an export of 200,000 members or more (below, a thread's start-up eats what it saves).
   */
  planThreads: z.union([z.literal('auto'), int(1, 4)], { error: 'expected auto or a whole number from 1 to 4' }).default('auto'),
  /** Off a terminal, one progress log line this often. */
  progressSeconds: z.coerce.number().positive().default(30),
  logLevel: logLevel.default('info'),
  /** Required unless --dry-run; only from env (VIPPS_*) or the config file, never from flags. */
  credentials: credentialsSchema.optional(),
  // prefault, not default: zod 4's .default({}) would skip the inner defaults.
  dropFolder: dropFolderSettingsSchema.prefault({}),
  sftp: sftpSettingsSchema.prefault({}),
});

export type IngestConfig = z.infer<typeof ingestConfigSchema>;
export type RunConfig = z.infer<typeof runConfigSchema>;

export const scheduleConfigSchema = runConfigSchema.extend({
  cron: z.string().min(1, 'a cron expression, e.g. "0 2 * * *" (02:00 every night)'),
  /** Time zone of the cron expression (default: --time-zone). */
  cronTimeZone: timeZone.optional(),
  runOnStart: flag.default(false),
});
export type ScheduleConfig = z.infer<typeof scheduleConfigSchema>;

/** `validate`: files read as a run reads them; `kind` forces one kind on every file named. */
export const validateConfigSchema = ingestConfigSchema.extend({
  kind: z.enum(EXPORT_KINDS).optional(),
});

/** `status`: the last runs in a state file. */
export const statusConfigSchema = z.object({
  state: path.default(DEFAULT_STATE),
  limit: int(1, 1000).default(10),
  json: flag.default(false),
  timeZone: timeZone.default(DEFAULT_TIME_ZONE),
});

export type StatusConfig = z.infer<typeof statusConfigSchema>;

/** `explain`: a member in the state file, and in an export when one is named. */
export const explainConfigSchema = ingestConfigSchema.extend({
  state: path.default(DEFAULT_STATE),
  source: z.string().min(1).optional(),
  /** How the next run would send coupon and stamp-card changes (as `run --item-events`). */
  itemEvents: runConfigSchema.shape.itemEvents,
  json: flag.default(false),
  dropFolder: dropFolderSettingsSchema.prefault({}),
  sftp: sftpSettingsSchema.prefault({}),
});

export type ExplainConfig = z.infer<typeof explainConfigSchema>;

/** `forget`: a departed member's local traces. */
export const forgetConfigSchema = z.object({
  state: path.default(DEFAULT_STATE),
  reportDir: path.default(DEFAULT_REPORT_DIR),
  timeZone: timeZone.default(DEFAULT_TIME_ZONE),
});
