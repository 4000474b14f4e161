import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StateError } from '../errors.ts';
import { openStateStore, type StateStore } from '../state/store.ts';

/**
 * An existing state file, for the commands that work on one a run left (`status` and `explain` read it,
 * `forget` changes it); never created.
 */
export function openExistingStateFile(path: string, options: { readOnly: boolean }): StateStore {
  if (!existsSync(path)) throw new StateError('STATE_NOT_FOUND', `no state file at ${resolve(path)} (use --state or --config)`);
  return openStateStore(path, options);
}
