// Flags beat env (LOYALTY_SYNC_…), env beats the JSON config file (--config). Parsed once, then frozen.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { registerConfiguredSecrets, type SecretSettings } from '../privacy/secret-values.ts';
import { didYouMean } from '../base/closest-name.ts';
import { COMMANDS, CONFIG_OPTION, envNameOf, type CommandOptions } from './options.ts';
import { keysAt } from './schema-walk.ts';
import { SFTP_SECRET_ENV } from './source-settings.ts';

/** Read from env (or the config file) only, never a flag: a webhook URL is a secret (Slack's carries a token). */
export const NOTIFY_URL_ENV = 'LOYALTY_SYNC_NOTIFY_URL';

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

export function loadConfig<S extends z.ZodType>(command: CommandOptions<S>, flags: Values, env: NodeJS.ProcessEnv): Readonly<z.infer<S>> {
  const merged = mergeSources(command, flags, env);
  const missingCredentials = command.secrets ? setAsideIncompleteCredentials(merged) : [];
  const parsed = command.schema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n  ${describeIssues(command, parsed.error.issues).join('\n  ')}`);
  const data = parsed.data as { dryRun?: unknown };
  if (missingCredentials.length > 0 && keysAt(command.schema, []).includes('credentials') && data.dryRun !== true) {
    throw new ConfigError(missingCredentialsMessage(missingCredentials));
  }
  // The edge where secrets enter: from here on, every output removes them by value (src/privacy/).
  registerConfiguredSecrets(parsed.data as SecretSettings);
  return Object.freeze(parsed.data);
}

/** The config file, then env over it, then flags over both; secrets only from env (or the file). */
function mergeSources(command: CommandOptions, flags: Values, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const configPath = (flags.config as string | undefined) ?? env[envNameOf(CONFIG_OPTION)];
  const merged: Record<string, unknown> = configPath ? readConfigFile(configPath) : {};
  if (configPath) refuseUnknownKeys(merged, configPath);
  for (const spec of command.options) {
    const fromEnv = env[envNameOf(spec)];
    if (fromEnv !== undefined && fromEnv !== '') setPath(merged, spec.key, fromEnv);
  }
  for (const spec of command.options) if (flags[spec.flag] !== undefined) setPath(merged, spec.key, flags[spec.flag]);
  if (command.secrets) {
    mergeSecretsFromEnv(merged, 'credentials', CREDENTIAL_ENV, env);
    mergeSecretsFromEnv(merged, 'sftp', SFTP_SECRET_ENV, env);
    if (env[NOTIFY_URL_ENV]) merged.notifyUrl = env[NOTIFY_URL_ENV];
  }
  return merged;
}

/**
 * Some credentials but not all: the same message as none at all (after parsing, which tells whether this is
 * a dry run, which needs none). Set aside so that the schema does not answer first in its own words.
 */
function setAsideIncompleteCredentials(merged: Record<string, unknown>): (keyof typeof CREDENTIAL_ENV)[] {
  const credentials = merged.credentials as Record<string, unknown> | undefined;
  const missing = credentials ? keysOf(CREDENTIAL_ENV).filter((key) => typeof credentials[key] !== 'string' || credentials[key] === '') : [];
  if (missing.length > 0) delete merged.credentials;
  return missing;
}

/** One line per problem, naming the flag and env var (or the credential's env var) it came from. */
function describeIssues(command: CommandOptions, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const key = issue.path.join('.');
    const spec = command.options.find((candidate) => candidate.key === key);
    const credentialEnv = CREDENTIAL_ENV[issue.path[1] as keyof typeof CREDENTIAL_ENV];
    const where = spec
      ? `${key} (--${spec.flag} / ${envNameOf(spec)})`
      : issue.path[0] === 'credentials' && credentialEnv
        ? `${key} (${credentialEnv})`
        : key || '(config)';
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(command.schema, issue.path);
      return issue.keys.map((unknown) => `${where}: unknown key "${unknown}"${didYouMean(unknown, known, (name) => `"${name}"`)}`).join('\n  ');
    }
    return `${where}: ${issue.message}`;
  });
}

/**
 * A config file is shared by every command (`run`, `schedule`, `validate`, `status`, `explain`, `forget`),
 * so a key is known when any command has it. Any other is a typo that would otherwise be ignored without
 * a word (`"dryrun": true`, and a live run is sent). Nested objects too.
 */
function refuseUnknownKeys(file: Record<string, unknown>, path: string): void {
  const problems = unknownKeyProblems(file, (at) => COMMANDS.flatMap((command) => keysAt(command.schema, at)));
  if (problems.length > 0) throw new ConfigError(`config file ${path}:\n  ${problems.join('\n  ')}`);
}

/**
 * Every key of `object`, at any depth, that `knownAt` (the keys known at a path) does not list, each with
 * the known key it resembles. A path where nothing is known (a free-form record) is not checked.
 */
export function unknownKeyProblems(object: Record<string, unknown>, knownAt: (at: string[]) => string[], prefix = ''): string[] {
  const problems: string[] = [];
  const check = (node: Record<string, unknown>, at: string[]) => {
    const known = new Set(knownAt(at));
    if (known.size === 0) return;
    for (const [key, value] of Object.entries(node)) {
      if (!known.has(key)) problems.push(`"${prefix}${[...at, key].join('.')}": unknown key${didYouMean(key, known, (name) => `"${prefix}${[...at, name].join('.')}"`)}`);
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) check(value as Record<string, unknown>, [...at, key]);
    }
  };
  check(object, []);
  return problems;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Only where, never JSON.parse's own message: it quotes the text around the mistake, and a config
    // file holds secrets that are not yet known to be secrets (they are registered once it parses).
    throw new ConfigError(`config file ${path} is not valid JSON (${jsonErrorPlace(text, (error as Error).message)}; its text is not shown: it may hold secrets)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`config file ${path}: expected a JSON object ({ … }) at the top`);
  return value as Record<string, unknown>;
}

/**
 * Where a JSON.parse error is, as "line L, column C": V8 names the position, or quotes the text around an
 * unexpected token (found again in the file, never shown).
 */
function jsonErrorPlace(text: string, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  const quoted = /"(.*)"(?:\.\.\.)? is not valid JSON$/.exec(message)?.[1];
  const at = position !== undefined ? Number(position) : quoted ? text.indexOf(quoted) : -1;
  if (at < 0) return /Unexpected end of JSON input/.test(message) ? 'it ends too early' : 'at a place JSON.parse does not name';
  const before = text.slice(0, at);
  return `${position === undefined ? 'near ' : 'at '}line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')}`;
}

/** Secrets from env over the config file's object `key` (`credentials`, `sftp`): env beats the file. */
export function mergeSecretsFromEnv(merged: Record<string, unknown>, key: string, envNames: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): void {
  const fromFile = (typeof merged[key] === 'object' && merged[key] !== null ? merged[key] : {}) as Record<string, unknown>;
  const values: Record<string, unknown> = { ...fromFile };
  for (const [name, envName] of Object.entries(envNames)) if (env[envName]) values[name] = env[envName];
  if (Object.keys(values).length > 0) merged[key] = values;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
