// `loyalty-sync fleet`: the fleet file, env and flags → the fleet's settings and one run configuration per
// merchant, parsed by the run's own schema. For every merchant: its entry over `defaults`, then the
// LOYALTY_SYNC_… env and the flags over both (flags beat env, env beats the file), its state file and
// report folder from the fleet's folders unless it names its own. Credentials: partner keys (VIPPS_* over
// `defaults.credentials`) for every merchant, a merchant's own keys (its entry's `credentials`, then
// LOYALTY_SYNC_MERCHANT_<ID>_CLIENT_ID, …) over them; the serial number is always the merchant's own.
//
// A mistake in the fleet file's structure (an unknown key, a duplicate id) stops the fleet: exit 2, nothing
// runs. A mistake in one merchant's entry or its credentials fails only that merchant.
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { didYouMean } from '../base/closest-name.ts';
import { shardOf } from '../base/shard.ts';
import { ConfigError, UsageError } from '../errors.ts';
import { registerConfiguredSecrets } from '../privacy/secret-values.ts';
import { type FleetFile, fleetSchema } from './fleet-schema.ts';
import { CREDENTIAL_ENV, NOTIFY_URL_ENV, readConfigFile, setPath, unknownKeyProblems } from './load.ts';
import { CONFIG_OPTION, envNameOf, FLEET_MERCHANT_OPTIONS, FLEET_OPTIONS } from './options.ts';
import { DEFAULT_STATE, runConfigSchema, type RunConfig } from './schema.ts';
import { keysAt } from './schema-walk.ts';
import { SFTP_SECRET_ENV } from './source-settings.ts';

export interface FleetMerchant {
  id: string;
  merchantSerialNumber: string;
  /** Its run configuration; absent when its entry or credentials are wrong (`error`): then only it fails. */
  config?: RunConfig;
  error?: ConfigError;
  /** Its own log level, when its entry or the defaults name one. */
  logLevel?: string;
}

export type FleetConfig = Readonly<
  Omit<FleetFile, 'merchants' | 'defaults'> & {
    /** The merchants this process syncs (its partition), in the file's order. */
    merchants: readonly FleetMerchant[];
    /** How many merchants the file lists (all partitions). */
    merchantsInFile: number;
  }
>;

type Values = Record<string, string | boolean | undefined>;
type Settings = Record<string, unknown>;

/** The API keys a merchant may have of its own (the serial number is always its own, in its entry). */
const OWN_KEYS = ['clientId', 'clientSecret', 'subscriptionKey'] as const;

/** `LOYALTY_SYNC_MERCHANT_<ID>_<NAME>`: a merchant's own secret, named after the fleet-wide one (VIPPS_CLIENT_SECRET → …_CLIENT_SECRET). */
export function merchantEnvName(id: string, fleetWideName: string): string {
  return `LOYALTY_SYNC_MERCHANT_${id.toUpperCase().replaceAll('-', '_')}_${fleetWideName.replace(/^(VIPPS|LOYALTY_SYNC)_/, '')}`;
}

export function loadFleetConfig(flags: Values, env: NodeJS.ProcessEnv): FleetConfig {
  const path = (flags.config as string | undefined) ?? env[envNameOf(CONFIG_OPTION)];
  if (!path) throw new UsageError('fleet needs its file: --config fleet.json (or LOYALTY_SYNC_CONFIG)');
  const file = readConfigFile(path);
  for (const spec of FLEET_OPTIONS) {
    const value = flags[spec.flag] ?? (env[envNameOf(spec)] || undefined);
    if (value !== undefined) setPath(file, spec.key, value);
  }
  const parsed = fleetSchema.safeParse(file);
  if (!parsed.success) throw new ConfigError(`fleet file ${path}:\n  ${describeIssues(parsed.error.issues, (at) => keysAt(fleetSchema, at)).join('\n  ')}`);
  const { merchants, defaults, ...fleet } = parsed.data;
  const defaultsProblems = unknownKeyProblems(defaults, (at) => keysAt(runConfigSchema, at), 'defaults.');
  if (defaultsProblems.length > 0) throw new ConfigError(`fleet file ${path}:\n  ${defaultsProblems.join('\n  ')}`);

  const partition = fleet.partition;
  const mine = merchants.filter((merchant) => !partition || shardOf(merchant.id, partition.count) === partition.index);
  const resolved = mine.map((entry) => resolveMerchant(entry, defaults, fleet, flags, env));
  refuseSharedPlaces(resolved, path);
  return Object.freeze({ ...fleet, merchants: resolved, merchantsInFile: merchants.length });
}

function resolveMerchant(entry: FleetFile['merchants'][number], defaults: Settings, fleet: Pick<FleetFile, 'stateDir' | 'reportDir'>, flags: Values, env: NodeJS.ProcessEnv): FleetMerchant {
  const { id, merchantSerialNumber, ...own } = entry;
  const named = { id, merchantSerialNumber };
  const failed = (problems: string[]): FleetMerchant => ({ ...named, error: new ConfigError(`merchant ${id}:\n  ${problems.join('\n  ')}`) });
  const unknown = unknownKeyProblems(own, (at) => keysAt(runConfigSchema, at), `merchants.${id}.`);
  if (unknown.length > 0) return failed(unknown);

  const merged = mergeSettings(defaults, own);
  for (const spec of FLEET_MERCHANT_OPTIONS) {
    const value = flags[spec.flag] ?? (env[envNameOf(spec)] || undefined);
    if (value !== undefined) setPath(merged, spec.key, value);
  }
  merged.state ??= join(fleet.stateDir, id, DEFAULT_STATE);
  merged.reportDir ??= join(fleet.reportDir, id);
  const credentials = layeredSecrets(id, 'credentials', CREDENTIAL_ENV, OWN_KEYS, defaults, own, env);
  const complete = OWN_KEYS.every((key) => typeof credentials[key] === 'string' && credentials[key] !== '');
  if (complete) merged.credentials = { ...credentials, merchantSerialNumber };
  else delete merged.credentials;
  const sftpSecrets = layeredSecrets(id, 'sftp', SFTP_SECRET_ENV, Object.keys(SFTP_SECRET_ENV) as (keyof typeof SFTP_SECRET_ENV)[], defaults, own, env);
  if (Object.keys(sftpSecrets).length > 0) merged.sftp = { ...(merged.sftp as Settings | undefined), ...sftpSecrets };
  if (env[NOTIFY_URL_ENV]) merged.notifyUrl = env[NOTIFY_URL_ENV];

  const parsed = runConfigSchema.safeParse(merged);
  if (!parsed.success) return failed(describeIssues(parsed.error.issues, (at) => keysAt(runConfigSchema, at), `merchants.${id}.`));
  const config = Object.freeze(parsed.data);
  // The edge where this merchant's secrets enter: from here on every output removes them by value.
  registerConfiguredSecrets(config);
  if (!complete && !config.dryRun) return failed([missingKeysMessage(id, credentials)]);
  const logLevel = (own.logLevel ?? defaults.logLevel) as string | undefined;
  return { ...named, config, ...(logLevel !== undefined && { logLevel: config.logLevel }) };
}

/**
 * One kind of secret (`credentials`, `sftp`), field by field, weakest first: the defaults' in the file,
 * the fleet-wide env (partner keys), the merchant's entry, the merchant's own env variables.
 */
function layeredSecrets<K extends string>(id: string, key: string, envNames: Readonly<Record<K, string>>, fields: readonly K[], defaults: Settings, own: Settings, env: NodeJS.ProcessEnv): Partial<Record<K, string>> {
  const fromFile = (settings: Settings) => (typeof settings[key] === 'object' && settings[key] !== null ? (settings[key] as Partial<Record<K, string>>) : {});
  const fromEnv = (name: (field: K) => string) => Object.fromEntries(fields.filter((field) => env[name(field)]).map((field) => [field, env[name(field)]])) as Partial<Record<K, string>>;
  const layers = [fromFile(defaults), fromEnv((field) => envNames[field]), fromFile(own), fromEnv((field) => merchantEnvName(id, envNames[field]))];
  const values: Partial<Record<K, string>> = {};
  for (const layer of layers as Partial<Record<K, string>>[]) for (const field of fields) if (layer[field] !== undefined) values[field] = layer[field];
  return values;
}

function missingKeysMessage(id: string, credentials: Partial<Record<(typeof OWN_KEYS)[number], string>>): string {
  const missing = OWN_KEYS.filter((key) => !credentials[key]);
  const partner = missing.map((key) => CREDENTIAL_ENV[key]).join(', ');
  const own = missing.map((key) => merchantEnvName(id, CREDENTIAL_ENV[key])).join(', ');
  return `API credentials are missing: set ${partner} (partner keys, for every merchant) or ${own} (this merchant's own), or "credentials" in the fleet file; or use --dry-run`;
}

/** Two merchants on one state file, report folder or source would take each other's lock, reports or exports. */
function refuseSharedPlaces(merchants: readonly FleetMerchant[], path: string): void {
  const problems: string[] = [];
  for (const [what, placeOf] of [
    ['state file', (config: RunConfig) => resolve(config.state)],
    ['report folder', (config: RunConfig) => resolve(config.reportDir)],
    ['source', (config: RunConfig) => (/^sftp:\/\//i.test(config.source) ? config.source : resolve(config.source))],
  ] as const) {
    const owner = new Map<string, string>();
    for (const { id, config } of merchants) {
      if (!config) continue;
      const place = placeOf(config);
      const other = owner.get(place);
      if (other) problems.push(`merchants ${other} and ${id} have the same ${what} (${place}); each merchant needs its own`);
      owner.set(place, id);
    }
  }
  if (problems.length > 0) throw new ConfigError(`fleet file ${path}:\n  ${problems.join('\n  ')}`);
}

/** `over` on top of `base`, objects merged key by key (a merchant's `dialect.delimiter` keeps the defaults' `dialect.encoding`). */
function mergeSettings(base: Settings, over: Settings): Settings {
  const merged: Settings = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(under) ? mergeSettings(under, value) : value;
  }
  return merged;
}

const isPlainObject = (value: unknown): value is Settings => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line per problem, naming the key (`merchants.<id>.dialect.delimiter`); an unknown key with the one it resembles. */
function describeIssues(issues: readonly z.core.$ZodIssue[], knownAt: (at: string[]) => string[], prefix = ''): string[] {
  return issues.map((issue) => {
    const at = issue.path.map(String);
    const where = `${prefix}${at.join('.')}` || '(fleet file)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `"${prefix}${[...at, key].join('.')}": unknown key${didYouMean(key, knownAt(at), (name) => `"${prefix}${[...at, name].join('.')}"`)}`).join('\n  ');
    }
    return `${where}: ${issue.message}`;
  });
}
