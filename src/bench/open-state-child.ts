// `node open-state-child.ts <state file>`: what a run does with its state file before it takes the lock
// (open with the check on every open, migrate if needed, the scheduled whole-file check if due), then
// the lock; prints `{"ms": …}` for that span, module loading left out. The benchmark's `stateOpenMs1M`.
import { acquireRunLock } from '../state/run-lock.ts';
import { checkStateIfDue, openStateStore } from '../state/store.ts';

if (import.meta.main) {
  const started = performance.now();
  const store = openStateStore(process.argv[2]!);
  const checked = checkStateIfDue(store, { force: false, everyDays: 7, now: new Date() });
  const lock = acquireRunLock(store.db, { runId: 'bench-open' });
  const ms = performance.now() - started;
  lock.release();
  store.close();
  process.stdout.write(`${JSON.stringify({ ms: Math.round(ms * 10) / 10, wholeFileChecked: checked })}\n`);
}
