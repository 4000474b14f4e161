// Flags beat env (LOYALTY_SYNC_…), env beats the JSON config file (--config). Parsed once, then frozen.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { registerConfiguredSecrets, type SecretSettings } from '../privacy/secret-values.ts';
import { DROP_FOLDER_OPTIONS, mergeSftpSecrets } from '../sources/sftp-config.ts';
import { didYouMean } from '../base/closest-name.ts';
import { scheduleConfigSchema } from './schema.ts';

export interface OptionSpec {
  /** Path in the config object, e.g. `concurrency` or `dialect.delimiter`. */
  key: string;
  flag: string;
  type: 'string' | 'boolean';
  help: string;
}

export const envNameOf = (spec: OptionSpec) => `LOYALTY_SYNC_${spec.flag.toUpperCase().replace(/-/g, '_')}`;

export const CONFIG_OPTION: OptionSpec = { key: 'config', flag: 'config', type: 'string', help: 'JSON config file (columns, dialect, credentials, any option below)' };

export const INGEST_OPTIONS: readonly OptionSpec[] = [
  { key: 'defaultCountry', flag: 'default-country', type: 'string', help: 'country for phone numbers without country code (default NO)' },
  { key: 'timeZone', flag: 'time-zone', type: 'string', help: 'time zone of bare dates (default Europe/Oslo)' },
  { key: 'currency', flag: 'currency', type: 'string', help: 'currency when a row names none (default NOK)' },
  { key: 'dialect.delimiter', flag: 'delimiter', type: 'string', help: "auto | , | ; | tab (default auto)" },
  { key: 'dialect.encoding', flag: 'encoding', type: 'string', help: 'auto | utf-8 | windows-1252 (default auto)' },
  { key: 'dialect.dateFormat', flag: 'date-format', type: 'string', help: 'YYYY-MM-DD | DD.MM.YYYY | DD/MM/YYYY | MM/DD/YYYY (default YYYY-MM-DD)' },
  { key: 'dialect.validToDate', flag: 'valid-to-date', type: 'string', help: 'a bare valid_to date means: end-of-day (23:59:59) | start-of-day (default end-of-day)' },
  { key: 'files.members', flag: 'members-files', type: 'string', help: 'file-name glob of the members file (default members*.csv)' },
  { key: 'files.coupons', flag: 'coupons-files', type: 'string', help: 'file-name glob of the coupons file (default coupons*.csv)' },
  { key: 'files.stampCards', flag: 'stamp-cards-files', type: 'string', help: 'file-name glob of the stamp cards file (default stamp_cards*.csv)' },
  { key: 'files.bonusChecks', flag: 'bonus-checks-files', type: 'string', help: 'file-name glob of the bonus checks file (default bonus_checks*.csv)' },
];

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { key: 'source', flag: 'source', type: 'string', help: 'export folder, or sftp://user@host[:port]/path (required)' },
  { key: 'state', flag: 'state', type: 'string', help: 'state file (default loyalty-sync.sqlite)' },
  { key: 'reportDir', flag: 'report-dir', type: 'string', help: 'where run reports go (default reports)' },
  { key: 'concurrency', flag: 'concurrency', type: 'string', help: 'members sent in parallel (default 8)' },
  { key: 'apiUrl', flag: 'api-url', type: 'string', help: 'API base URL (default https://api.vipps.no)' },
  { key: 'dryRun', flag: 'dry-run', type: 'boolean', help: 'plan and report; send nothing, commit nothing' },
  { key: 'full', flag: 'full', type: 'boolean', help: "backfill: resend every member's full state" },
  { key: 'only', flag: 'only', type: 'string', help: 'with --full: resend only these parts: members,coupons,stampCards,bonusChecks' },
  { key: 'contacts', flag: 'contacts', type: 'string', help: 'with --full: resend only these contact ids (comma-separated)' },
  { key: 'contactsFile', flag: 'contacts-file', type: 'string', help: 'with --full: resend only the contact ids in this file (one per line)' },
  { key: 'allowMassDelete', flag: 'allow-mass-delete', type: 'boolean', help: 'override the mass-delete, empty-file and truncated-file guards' },
  { key: 'newState', flag: 'new-state', type: 'boolean', help: 'start a new state file on purpose where earlier runs left their mark (resends everything)' },
  { key: 'stateBackups', flag: 'state-backups', type: 'string', help: 'backups of the state file kept beside it, taken before a run commits (default 3; 0 = none)' },
  { key: 'reportRetentionDays', flag: 'report-retention-days', type: 'string', help: 'remove run report folders older than this (default 90; 0 = keep all)' },
  { key: 'archiveRetentionDays', flag: 'archive-retention-days', type: 'string', help: "remove a drop folder's archive/failed entries older than this (default 30; 0 = keep all)" },
  { key: 'failOnRejects', flag: 'fail-on-rejects', type: 'boolean', help: 'exit 5 (not 0) when rows were rejected or members left untouched' },
  { key: 'shard', flag: 'shard', type: 'string', help: 'i/N: only members whose contact_id hash falls in shard i' },
  { key: 'maxDeletePercent', flag: 'max-delete-percent', type: 'string', help: 'refuse a run deleting more than this % of known members (default 5)' },
  { key: 'maxClearPercent', flag: 'max-clear-percent', type: 'string', help: "refuse a run clearing a field or emptying a set for more than this % of known members (default 10)" },
  { key: 'allowMassClear', flag: 'allow-mass-clear', type: 'boolean', help: 'override the mass-clear guard and accept columns gone since the last successful run' },
  { key: 'minRowsPercent', flag: 'min-rows-percent', type: 'string', help: "refuse a file with fewer rows than this % of the last successful run's (default 50)" },
  { key: 'requestTimeoutMs', flag: 'request-timeout-ms', type: 'string', help: 'per-request timeout (default 30000)' },
  { key: 'maxAttempts', flag: 'max-attempts', type: 'string', help: 'attempts per event before giving up (default 6)' },
  { key: 'retryBaseDelayMs', flag: 'retry-base-delay-ms', type: 'string', help: 'first backoff ceiling (default 500)' },
  { key: 'retryMaxDelayMs', flag: 'retry-max-delay-ms', type: 'string', help: 'largest backoff ceiling (default 30000)' },
  { key: 'deadlineMinutes', flag: 'deadline-minutes', type: 'string', help: 'stop starting new requests after this long (default none)' },
  { key: 'maxFailuresInARow', flag: 'max-failures-in-a-row', type: 'string', help: 'stop the run (API_CIRCUIT_OPEN) after this many members in a row could not be delivered (default 20)' },
  { key: 'lockStaleSeconds', flag: 'lock-stale-seconds', type: 'string', help: "take over a run lock whose heartbeat is older than this (default 120)" },
  { key: 'historyDays', flag: 'history-days', type: 'string', help: "days the outbox keeps delivered events for 'explain' (default 14)" },
  { key: 'gracePeriodSeconds', flag: 'grace-period-seconds', type: 'string', help: 'after SIGTERM, how long requests in flight may finish (default 20)' },
  { key: 'pluginName', flag: 'plugin-name', type: 'string', help: 'Vipps-System-Plugin-Name header, ≤ 30 chars (default loyalty-sync)' },
  { key: 'pluginVersion', flag: 'plugin-version', type: 'string', help: 'Vipps-System-Plugin-Version header, ≤ 30 chars' },
  { key: 'pushgatewayUrl', flag: 'pushgateway-url', type: 'string', help: 'push metrics.prom to this Prometheus Pushgateway after every run' },
  { key: 'metricsJob', flag: 'metrics-job', type: 'string', help: 'job name for the metrics (default loyalty-sync)' },
  { key: 'ingestThreads', flag: 'ingest-threads', type: 'string', help: 'read kinds in this many threads at once (default 2 on 2+ cores; each extra ~50 MB)' },
  { key: 'progressSeconds', flag: 'progress-seconds', type: 'string', help: 'off a terminal, log progress this often (default 30)' },
  { key: 'logLevel', flag: 'log-level', type: 'string', help: 'fatal | error | warn | info | debug | trace | silent (default info)' },
  ...DROP_FOLDER_OPTIONS,
  ...INGEST_OPTIONS,
];

export const SCHEDULE_OPTIONS: readonly OptionSpec[] = [
  { key: 'cron', flag: 'cron', type: 'string', help: 'cron expression, e.g. "0 2 * * *" (required; 6 fields for seconds)' },
  { key: 'cronTimeZone', flag: 'cron-time-zone', type: 'string', help: 'time zone of the cron expression (default: --time-zone)' },
  { key: 'runOnStart', flag: 'run-on-start', type: 'boolean', help: 'also run once right away' },
  ...RUN_OPTIONS,
];

/** Read from env (or the config file) only, never a flag: a webhook URL is a secret (Slack's carries a token). */
const NOTIFY_URL_ENV = 'LOYALTY_SYNC_NOTIFY_URL';

/** Credentials come only from env or the config file: a flag would show in `ps` and shell history. */
export const CREDENTIAL_ENV = {
  clientId: 'VIPPS_CLIENT_ID',
  clientSecret: 'VIPPS_CLIENT_SECRET',
  subscriptionKey: 'VIPPS_SUBSCRIPTION_KEY',
  merchantSerialNumber: 'VIPPS_MERCHANT_SERIAL_NUMBER',
} as const;

type Values = Record<string, string | boolean | undefined>;
const keysOf = <T extends object>(object: T) => Object.keys(object) as (keyof T)[];

/** The one message for missing API credentials, whether one is missing or all four. */
export function missingCredentialsMessage(missing: readonly (keyof typeof CREDENTIAL_ENV)[] = keysOf(CREDENTIAL_ENV)): string {
  const listed = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);
  const given = keysOf(CREDENTIAL_ENV).filter((key) => !missing.includes(key));
  return (
    `API credentials are missing: set ${listed(missing.map((key) => CREDENTIAL_ENV[key]))} (or "credentials" in the config file), or use --dry-run` +
    (given.length > 0 ? `; ${listed(given.map((key) => CREDENTIAL_ENV[key]))} ${given.length === 1 ? 'is' : 'are'} set, the API needs all four` : '')
  );
}

export function loadConfig<S extends z.ZodType>(
  schema: S,
  specs: readonly OptionSpec[],
  flags: Values,
  env: NodeJS.ProcessEnv,
  options: { withCredentials?: boolean } = {},
): Readonly<z.infer<S>> {
  const configPath = (flags.config as string | undefined) ?? env[envNameOf(CONFIG_OPTION)];
  const merged: Record<string, unknown> = configPath ? readConfigFile(configPath) : {};
  if (configPath) refuseUnknownKeys(merged, configPath, schema);
  for (const spec of specs) {
    const fromEnv = env[envNameOf(spec)];
    if (fromEnv !== undefined && fromEnv !== '') setPath(merged, spec.key, fromEnv);
  }
  for (const spec of specs) if (flags[spec.flag] !== undefined) setPath(merged, spec.key, flags[spec.flag]);
  let missingCredentials: (keyof typeof CREDENTIAL_ENV)[] = [];
  if (options.withCredentials) {
    mergeCredentials(merged, env);
    mergeSftpSecrets(merged, env);
    if (env[NOTIFY_URL_ENV]) merged.notifyUrl = env[NOTIFY_URL_ENV];
    // Some credentials but not all: the same message as none at all (after parsing, which tells whether
    // this is a dry run, which needs none). Set aside so the schema does not answer first in its own words.
    const credentials = merged.credentials as Record<string, unknown> | undefined;
    missingCredentials = credentials ? keysOf(CREDENTIAL_ENV).filter((key) => typeof credentials[key] !== 'string' || credentials[key] === '') : [];
    if (missingCredentials.length > 0) delete merged.credentials;
  }

  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const spec = specs.find((candidate) => candidate.key === key);
      const credentialEnv = CREDENTIAL_ENV[issue.path[1] as keyof typeof CREDENTIAL_ENV];
      const where = spec
        ? `${key} (--${spec.flag} / ${envNameOf(spec)})`
        : issue.path[0] === 'credentials' && credentialEnv
          ? `${key} (${credentialEnv})`
          : key || '(config)';
      if (issue.code === 'unrecognized_keys') {
        const known = keysAt(schema, issue.path);
        return issue.keys.map((unknown) => `${where}: unknown key "${unknown}"${didYouMean(unknown, known, (name) => `"${name}"`)}`).join('\n  ');
      }
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const data = parsed.data as { dryRun?: unknown };
  if (missingCredentials.length > 0 && keysAt(schema, []).includes('credentials') && data.dryRun !== true) {
    throw new ConfigError(missingCredentialsMessage(missingCredentials));
  }
  // The edge where secrets enter: from here on, every output removes them by value (src/privacy/).
  registerConfiguredSecrets(parsed.data as SecretSettings);
  return Object.freeze(parsed.data);
}

/**
 * A config file is shared by every command (`run`, `schedule`, `status`, `explain`, `validate`), so a key
 * is known when the full run configuration or this command has it. Any other is a typo that would
 * otherwise be ignored without a word (`"dryrun": true`, and a live run is sent). Nested objects too.
 */
function refuseUnknownKeys(file: Record<string, unknown>, path: string, schema: z.ZodType): void {
  const problems: string[] = [];
  const check = (object: Record<string, unknown>, at: string[]) => {
    const known = new Set([...keysAt(scheduleConfigSchema, at), ...keysAt(schema, at)]);
    if (known.size === 0) return;
    for (const [key, value] of Object.entries(object)) {
      const where = [...at, key].join('.');
      if (!known.has(key)) problems.push(`"${where}": unknown key${didYouMean(key, known, (name) => `"${[...at, name].join('.')}"`)}`);
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) check(value as Record<string, unknown>, [...at, key]);
    }
  };
  check(file, []);
  if (problems.length > 0) throw new ConfigError(`config file ${path}:\n  ${problems.join('\n  ')}`);
}

/** The keys an object (or record with fixed keys) in `schema` at `path` takes, through defaults, optionals and pipes. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  interface Def {
    type: string;
    shape?: Record<string, z.ZodType>;
    innerType?: z.ZodType;
    in?: z.ZodType;
    keyType?: z.ZodType;
    entries?: Record<string, string>;
  }
  const defOf = (node: z.ZodType) => (node as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (node: z.ZodType): z.ZodType => {
    const def = defOf(node);
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe' && def.in) return unwrap(def.in);
    return node;
  };
  let node = unwrap(schema);
  for (const key of path) {
    const next = defOf(node).shape?.[String(key)];
    if (!next) return [];
    node = unwrap(next);
  }
  const def = defOf(node);
  if (def.shape) return Object.keys(def.shape);
  const keyDef = def.keyType && defOf(def.keyType);
  return keyDef?.entries ? Object.values(keyDef.entries) : [];
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function mergeCredentials(merged: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const fromFile = (merged.credentials ?? {}) as Record<string, unknown>;
  const credentials: Record<string, unknown> = { ...fromFile };
  for (const [key, name] of Object.entries(CREDENTIAL_ENV)) if (env[name]) credentials[key] = env[name];
  if (Object.keys(credentials).length > 0) merged.credentials = credentials;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
