import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StateError } from '../errors.ts';
import { openStateStore, type StateStore } from '../state/store.ts';

/** The state file, read-only, for the commands that only look (`status`, `explain`); never created. */
export function openStateFileToRead(path: string): StateStore {
  if (!existsSync(path)) throw new StateError('STATE_NOT_FOUND', `no state file at ${resolve(path)} (use --state or --config)`);
  return openStateStore(path, { readOnly: true });
}
