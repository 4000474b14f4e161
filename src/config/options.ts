// Every option of every command: its flag, its env var (LOYALTY_SYNC_…, derived from the flag), the path of
// its key in the config object, and what it does. Defaults are not written here: help text takes them
// from the command's schema (src/config/schema.ts), the one place they live.
import type { z } from 'zod';
import { EXPORT_KINDS } from '../base/kinds.ts';
import { defaultAt } from './schema-walk.ts';
import { explainConfigSchema, forgetConfigSchema, runConfigSchema, scheduleConfigSchema, statusConfigSchema, validateConfigSchema } from './schema.ts';

export interface OptionSpec {
  /** Path in the config object, e.g. `concurrency` or `dialect.delimiter`. */
  key: string;
  flag: string;
  type: 'string' | 'boolean';
  /** What the option does; its default is added from the schema (`defaultHelp` where that reads better). */
  help: string;
  defaultHelp?: string;
}

export const envNameOf = (spec: OptionSpec) => `LOYALTY_SYNC_${spec.flag.toUpperCase().replace(/-/g, '_')}`;

export const CONFIG_OPTION: OptionSpec = { key: 'config', flag: 'config', type: 'string', help: 'JSON config file (columns, dialect, credentials, any option below)' };

export const INGEST_OPTIONS: readonly OptionSpec[] = [
  { key: 'defaultCountry', flag: 'default-country', type: 'string', help: 'country for phone numbers without country code' },
  { key: 'timeZone', flag: 'time-zone', type: 'string', help: 'time zone of bare dates' },
  { key: 'currency', flag: 'currency', type: 'string', help: 'currency when a row names none' },
  { key: 'dialect.delimiter', flag: 'delimiter', type: 'string', help: "auto | , | ; | tab" },
  { key: 'dialect.encoding', flag: 'encoding', type: 'string', help: 'auto | utf-8 | windows-1252' },
  { key: 'dialect.dateFormat', flag: 'date-format', type: 'string', help: 'YYYY-MM-DD | DD.MM.YYYY | DD/MM/YYYY | MM/DD/YYYY' },
  { key: 'dialect.validToDate', flag: 'valid-to-date', type: 'string', help: 'a bare valid_to date means: end-of-day (23:59:59) | start-of-day' },
  { key: 'files.members', flag: 'members-files', type: 'string', help: 'file-name glob of the members file' },
  { key: 'files.coupons', flag: 'coupons-files', type: 'string', help: 'file-name glob of the coupons file' },
  { key: 'files.stampCards', flag: 'stamp-cards-files', type: 'string', help: 'file-name glob of the stamp cards file' },
  { key: 'files.bonusChecks', flag: 'bonus-checks-files', type: 'string', help: 'file-name glob of the bonus checks file' },
];

/** Drop folders and SFTP: flags (and their LOYALTY_SYNC_… env vars) for the non-secret settings only. */
export const DROP_FOLDER_OPTIONS: readonly OptionSpec[] = [
  { key: 'sftp.privateKeyPath', flag: 'sftp-private-key-path', type: 'string', help: 'SFTP: private key file (OpenSSH or PEM format)' },
  { key: 'sftp.hostKey', flag: 'sftp-host-key', type: 'string', help: "SFTP: the server's host key, SHA256:… as `ssh-keygen -lf` prints it (required unless --sftp-accept-any-host-key)" },
  { key: 'sftp.acceptAnyHostKey', flag: 'sftp-accept-any-host-key', type: 'boolean', help: 'SFTP: do not check the host key (insecure: anyone in the middle can pose as the server)' },
  { key: 'sftp.connectTimeoutMs', flag: 'sftp-connect-timeout-ms', type: 'string', help: 'SFTP: connect + handshake + login timeout' },
  { key: 'sftp.timeoutMs', flag: 'sftp-timeout-ms', type: 'string', help: 'SFTP: an operation or a stalled download is retried after this long' },
  { key: 'sftp.attempts', flag: 'sftp-attempts', type: 'string', help: 'SFTP: attempts to connect and per operation' },
  { key: 'sftp.retryBaseDelayMs', flag: 'sftp-retry-base-delay-ms', type: 'string', help: 'SFTP: first reconnect backoff ceiling' },
  { key: 'sftp.retryMaxDelayMs', flag: 'sftp-retry-max-delay-ms', type: 'string', help: 'SFTP: largest reconnect backoff ceiling' },
  { key: 'dropFolder.incoming', flag: 'drop-incoming', type: 'string', help: 'drop folder: where exports are dropped' },
  { key: 'dropFolder.archive', flag: 'drop-archive', type: 'string', help: 'drop folder: where processed exports go, by date' },
  { key: 'dropFolder.failed', flag: 'drop-failed', type: 'string', help: 'drop folder: where refused or failed exports go' },
  { key: 'dropFolder.shards', flag: 'drop-shards', type: 'string', help: 'drop folder: where sharded runs record who reads an export and how each shard ended' },
  { key: 'dropFolder.stableSeconds', flag: 'drop-stable-seconds', type: 'string', help: 'drop folder: without .done or manifest, wait for sizes to hold still this long' },
];

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { key: 'source', flag: 'source', type: 'string', help: 'export folder, or sftp://user@host[:port]/path (required)' },
  { key: 'state', flag: 'state', type: 'string', help: 'state file' },
  { key: 'reportDir', flag: 'report-dir', type: 'string', help: 'where run reports go' },
  { key: 'concurrency', flag: 'concurrency', type: 'string', help: "members sent in parallel: auto (find and hold the API's limit) or a fixed number" },
  { key: 'maxConcurrency', flag: 'max-concurrency', type: 'string', help: 'with --concurrency auto: the most members sent in parallel' },
  { key: 'maxRate', flag: 'max-rate', type: 'string', help: "at most this many requests a second (the API's quota, when you know it)" },
  { key: 'apiUrl', flag: 'api-url', type: 'string', help: 'API base URL' },
  { key: 'dryRun', flag: 'dry-run', type: 'boolean', help: 'plan and report; send nothing, commit nothing' },
  { key: 'full', flag: 'full', type: 'boolean', help: "backfill: resend every member's full state" },
  { key: 'only', flag: 'only', type: 'string', help: 'with --full: resend only these parts: members,coupons,stampCards,bonusChecks' },
  { key: 'contacts', flag: 'contacts', type: 'string', help: 'with --full: resend only these contact ids (comma-separated)' },
  { key: 'contactsFile', flag: 'contacts-file', type: 'string', help: 'with --full: resend only the contact ids in this file (one per line)' },
  { key: 'itemEvents', flag: 'item-events', type: 'string', help: 'coupon and stamp-card changes as: synced (one full replacement) | items (one event per changed or removed item) | auto (whichever is smaller, per member and kind)' },
  { key: 'allowMassDelete', flag: 'allow-mass-delete', type: 'boolean', help: 'override the mass-delete, empty-file and truncated-file guards' },
  { key: 'newState', flag: 'new-state', type: 'boolean', help: 'start a new state file on purpose where earlier runs left their mark (resends everything)' },
  { key: 'checkState', flag: 'check-state', type: 'boolean', help: "check the whole state file's integrity this run (a cheaper check runs on every open)" },
  { key: 'checkStateDays', flag: 'check-state-days', type: 'string', help: "days between whole-file integrity checks of the state file (0 = every run)" },
  { key: 'stateBackups', flag: 'state-backups', type: 'string', help: 'backups of the state file kept beside it, taken before a run commits (0 = none)' },
  { key: 'reportRetentionDays', flag: 'report-retention-days', type: 'string', help: 'remove run report folders older than this (0 = keep all)' },
  { key: 'archiveRetentionDays', flag: 'archive-retention-days', type: 'string', help: "remove a drop folder's archive/failed entries older than this (0 = keep all)" },
  { key: 'failOnRejects', flag: 'fail-on-rejects', type: 'boolean', help: 'exit 5 (not 0) when rows were rejected or members left untouched' },
  { key: 'shard', flag: 'shard', type: 'string', help: 'i/N: only members whose contact_id hash falls in shard i' },
  { key: 'maxDeletePercent', flag: 'max-delete-percent', type: 'string', help: 'refuse a run deleting more than this % of known members' },
  { key: 'maxClearPercent', flag: 'max-clear-percent', type: 'string', help: "refuse a run clearing a field or emptying a set for more than this % of known members" },
  { key: 'allowMassClear', flag: 'allow-mass-clear', type: 'boolean', help: 'override the mass-clear guard and accept columns gone since the last successful run' },
  { key: 'minRowsPercent', flag: 'min-rows-percent', type: 'string', help: "refuse a file with fewer rows than this % of the last successful run's" },
  { key: 'requestTimeoutMs', flag: 'request-timeout-ms', type: 'string', help: 'per-request timeout' },
  { key: 'maxAttempts', flag: 'max-attempts', type: 'string', help: 'attempts per event before giving up' },
  { key: 'retryBaseDelayMs', flag: 'retry-base-delay-ms', type: 'string', help: 'first backoff ceiling' },
  { key: 'retryMaxDelayMs', flag: 'retry-max-delay-ms', type: 'string', help: 'largest backoff ceiling' },
  { key: 'deadlineMinutes', flag: 'deadline-minutes', type: 'string', help: 'stop starting new requests after this long' },
  { key: 'maxFailuresInARow', flag: 'max-failures-in-a-row', type: 'string', help: 'stop the run (API_CIRCUIT_OPEN) after this many members in a row could not be delivered' },
  { key: 'lockStaleSeconds', flag: 'lock-stale-seconds', type: 'string', help: "take over a run lock whose heartbeat is older than this" },
  { key: 'historyDays', flag: 'history-days', type: 'string', help: "days the outbox keeps delivered events for 'explain'" },
  { key: 'gracePeriodSeconds', flag: 'grace-period-seconds', type: 'string', help: 'after SIGTERM, how long requests in flight may finish' },
  { key: 'pluginName', flag: 'plugin-name', type: 'string', help: 'Vipps-System-Plugin-Name header, ≤ 30 chars' },
  { key: 'pluginVersion', flag: 'plugin-version', type: 'string', help: 'Vipps-System-Plugin-Version header, ≤ 30 chars' },
  { key: 'pushgatewayUrl', flag: 'pushgateway-url', type: 'string', help: 'push metrics.prom to this Prometheus Pushgateway after every run' },
  { key: 'metricsJob', flag: 'metrics-job', type: 'string', help: 'job name for the metrics' },
  { key: 'ingestThreads', flag: 'ingest-threads', type: 'string', help: 'read kinds in this many threads at once: auto (2 on 2+ cores for exports from 16 MB) or a number (each extra ~50 MB)' },
  { key: 'planThreads', flag: 'plan-threads', type: 'string', help: 'plan members in this many threads at once, by contact_id range: auto (2 on 2+ cores from 200,000 members) or a number (each extra ~50 MB)' },
  { key: 'progressSeconds', flag: 'progress-seconds', type: 'string', help: 'off a terminal, log progress this often' },
  { key: 'logLevel', flag: 'log-level', type: 'string', help: 'fatal | error | warn | info | debug | trace | silent' },
  ...DROP_FOLDER_OPTIONS,
  ...INGEST_OPTIONS,
];

export const SCHEDULE_OPTIONS: readonly OptionSpec[] = [
  { key: 'cron', flag: 'cron', type: 'string', help: 'cron expression, e.g. "0 2 * * *" (required; 6 fields for seconds)' },
  { key: 'cronTimeZone', flag: 'cron-time-zone', type: 'string', help: 'time zone of the cron expression', defaultHelp: 'the --time-zone' },
  { key: 'runOnStart', flag: 'run-on-start', type: 'boolean', help: 'also run once right away' },
  ...RUN_OPTIONS,
];

/** Run options that are each merchant's own in a fleet (or made from the fleet's folders): no fleet flag sets them for all. */
const PER_MERCHANT_KEYS = new Set(['source', 'state', 'reportDir', 'shard', 'logLevel']);

/** `fleet`: the fleet's own options (config file keys at the top). */
export const FLEET_OPTIONS: readonly OptionSpec[] = [
  { key: 'stateDir', flag: 'state-dir', type: 'string', help: "folder of the merchants' state files: <state-dir>/<id>/loyalty-sync.sqlite" },
  { key: 'reportDir', flag: 'report-dir', type: 'string', help: "folder of the merchants' reports, <report-dir>/<id>/, and the fleet's, <report-dir>/fleet/" },
  { key: 'merchantConcurrency', flag: 'merchant-concurrency', type: 'string', help: 'merchants synced at once' },
  { key: 'maxRequestsInFlight', flag: 'max-requests-in-flight', type: 'string', help: 'requests in flight at once across every merchant' },
  { key: 'partition', flag: 'partition', type: 'string', help: 'i/K: only the merchants whose id hashes to i' },
  { key: 'logLevel', flag: 'log-level', type: 'string', help: 'fatal | error | warn | info | debug | trace | silent' },
];

/** `fleet`: the run options its flags and env set for every merchant (over the file's `defaults` and merchants). */
export const FLEET_MERCHANT_OPTIONS: readonly OptionSpec[] = RUN_OPTIONS.filter((spec) => !PER_MERCHANT_KEYS.has(spec.key));

const STATE_OPTION: OptionSpec = { key: 'state', flag: 'state', type: 'string', help: 'state file' };
const TIME_ZONE_OPTION = INGEST_OPTIONS.find((spec) => spec.key === 'timeZone')!;

/** A command's options and the schema that parses them; `secrets`: the API credentials and SFTP secrets come from env too. */
export interface CommandOptions<S extends z.ZodType = z.ZodType> {
  schema: S;
  options: readonly OptionSpec[];
  secrets?: boolean;
}

export const RUN_COMMAND = { schema: runConfigSchema, options: RUN_OPTIONS, secrets: true } satisfies CommandOptions;
export const SCHEDULE_COMMAND = { schema: scheduleConfigSchema, options: SCHEDULE_OPTIONS, secrets: true } satisfies CommandOptions;
export const VALIDATE_COMMAND = {
  schema: validateConfigSchema,
  options: [
    { key: 'kind', flag: 'kind', type: 'string', help: `treat every file as this kind: ${EXPORT_KINDS.join(' | ')}`, defaultHelp: 'from the file name' },
    ...INGEST_OPTIONS,
  ],
} satisfies CommandOptions;
export const STATUS_COMMAND = {
  schema: statusConfigSchema,
  options: [
    STATE_OPTION,
    { key: 'limit', flag: 'limit', type: 'string', help: 'how many runs' },
    { key: 'json', flag: 'json', type: 'boolean', help: 'print JSON' },
    { ...TIME_ZONE_OPTION, help: 'time zone of the times shown, as in the reports' },
  ],
} satisfies CommandOptions;
export const EXPLAIN_COMMAND = {
  schema: explainConfigSchema,
  options: [
    STATE_OPTION,
    { key: 'source', flag: 'source', type: 'string', help: 'an export to compare with (optional)' },
    { key: 'itemEvents', flag: 'item-events', type: 'string', help: 'the next run\'s --item-events: synced | items | auto' },
    { key: 'json', flag: 'json', type: 'boolean', help: 'print JSON' },
    ...DROP_FOLDER_OPTIONS,
    ...INGEST_OPTIONS,
  ],
  secrets: true,
} satisfies CommandOptions;
export const FORGET_COMMAND = {
  schema: forgetConfigSchema,
  options: [
    STATE_OPTION,
    { key: 'reportDir', flag: 'report-dir', type: 'string', help: 'report folder' },
    { ...TIME_ZONE_OPTION, help: 'time zone of re-rendered report.html' },
  ],
} satisfies CommandOptions;

/** Every command with options: a config file may hold the keys of any of them. */
export const COMMANDS: readonly CommandOptions[] = [RUN_COMMAND, SCHEDULE_COMMAND, VALIDATE_COMMAND, STATUS_COMMAND, EXPLAIN_COMMAND, FORGET_COMMAND];

/** The help of a command's options, one line each: flag, env var, what it does and its default. */
export function optionsHelp(command: CommandOptions): string {
  const rows = [CONFIG_OPTION, ...command.options].map((spec) => {
    const fallback = spec.defaultHelp ?? defaultText(defaultAt(command.schema, spec.key.split('.')));
    return [`--${spec.flag}${spec.type === 'string' ? ' <value>' : ''}`, envNameOf(spec), withDefault(spec.help, fallback)];
  });
  const width = Math.max(...rows.map((row) => row[0]!.length));
  const envWidth = Math.max(...rows.map((row) => row[1]!.length));
  return rows.map(([flag, env, help]) => `  ${flag!.padEnd(width)}  ${env!.padEnd(envWidth)}  ${help}`).join('\n');
}

/** `help (default X)`, or `help (default X; note)` where the help already ends in a note in brackets. */
function withDefault(help: string, fallback: string | undefined): string {
  if (fallback === undefined) return help;
  const note = /\(([^()]*)\)$/.exec(help);
  return note ? `${help.slice(0, note.index)}(default ${fallback}; ${note[1]})` : `${help} (default ${fallback})`;
}

function defaultText(value: unknown): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value === 'object') return undefined;
  return value === '\t' ? 'tab' : String(value);
}
