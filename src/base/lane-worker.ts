// A lane's worker thread, as the ingest and plan stages start one: its entry module beside the caller's,
// a bounded young generation, and its outcome as a promise (its error rebuilt as thread-error.ts does).
import { Worker } from 'node:worker_threads';
import { fromThreadError, type ThreadError } from './thread-error.ts';

/** A lane worker's last message: its result, or the error that stopped it. */
export type LaneEnd<T> = { type: 'done'; value: T } | { type: 'failed'; error: ThreadError };

export interface LaneWorker<T> {
  done: Promise<T>;
  stop(): Promise<void>;
}

/** The worker entry `name` beside the module at `moduleUrl`: `.ts` when run from source, `.js` in the compiled package. */
export function siblingEntry(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}

/**
 * Starts a lane worker. `done` settles when the thread exits: with the value of its `done` message, else
 * with its `failed` error, its uncaught error, or its exit code. Other messages go to `onMessage`.
 */
export function startLaneWorker<T, Message extends { type: string } = never>(
  entry: URL,
  workerData: unknown,
  name: string,
  onMessage?: (message: Message) => void,
): LaneWorker<T> {
  // A bounded young generation keeps the worker's memory flat (README "Performance").
  const worker = new Worker(entry, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const done = new Promise<T>((resolve, reject) => {
    let outcome: { value: T } | { error: Error } | undefined;
    worker.on('message', (message: LaneEnd<T> | Message) => {
      if (message.type === 'done') outcome = { value: (message as { value: T }).value };
      else if (message.type === 'failed') outcome = { error: fromThreadError((message as { error: ThreadError }).error) };
      else onMessage?.(message as Message);
    });
    worker.on('error', (error) => (outcome ??= { error }));
    worker.on('exit', (code) => {
      if (outcome && 'value' in outcome) resolve(outcome.value);
      else reject(outcome?.error ?? new Error(`${name} worker exited with code ${code} before it finished`));
    });
  });
  // A lane stopped because another failed is not waited for: its rejection is the stop, not news.
  done.catch(() => {});
  return {
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}
