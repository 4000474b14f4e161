import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { EXPORT_KINDS, type ExportKind } from '../base/kinds.ts';
import type { RunConfig } from './schema.ts';

/** `--full [--only …] [--contacts …|--contacts-file …]` → what to resend, or undefined for a normal run. */
export function resolveBackfill(config: RunConfig): Backfill | undefined {
  const narrowed = config.only ?? config.contacts ?? config.contactsFile;
  // Starting over: nobody is known, yet the API may hold the whole club. Every part of every member is
  // sent, empty sets included, so what the API holds for the export's members converges to the export.
  if (config.newState) {
    if (narrowed) throw new ConfigError('--new-state resends every member in full: --only, --contacts and --contacts-file cannot narrow it');
    return { parts: new Set(EXPORT_KINDS) };
  }
  if (!config.full) {
    if (narrowed) throw new ConfigError('--only, --contacts and --contacts-file narrow a backfill: use them with --full');
    return undefined;
  }
  const contacts = [...(config.contacts ?? []), ...(config.contactsFile ? readContactsFile(config.contactsFile) : [])];
  return {
    parts: new Set(config.only ?? EXPORT_KINDS),
    ...((config.contacts || config.contactsFile) && { contacts: new Set(contacts) }),
  };
}

function readContactsFile(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
  } catch (error) {
    throw new ConfigError(`--contacts-file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** `--full`: which parts to resend, for every member or only the listed contacts. */
export interface Backfill {
  parts: ReadonlySet<ExportKind>;
  contacts?: ReadonlySet<string>;
}
