// How many members are delivered at once: a p-limit whose limit is either fixed (`--concurrency N`) or
// follows the adaptive limiter (`--concurrency auto`, adaptive-limit.ts) as the answers come in. One
// member holds one place for all of its events (they go strictly in order), so the places are members in
// flight. The counters are there for logs and the report.
import pLimit from 'p-limit';
import { createAdaptiveLimit, type LimitChange } from './adaptive-limit.ts';
import type { AttemptRecord } from './telemetry.ts';

export type ConcurrencySetting = number | 'auto';

export interface Concurrency {
  readonly mode: 'auto' | 'fixed';
  /** Members delivered at once, at most. */
  readonly limit: number;
  /** Members being delivered now. */
  readonly inFlight: number;
  /** Members queued for a place. */
  readonly waiting: number;
  /** Runs one member's delivery once a place is free. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** One HTTP attempt and its answer: in auto mode the limit learns from it. */
  record(attempt: AttemptRecord): void;
}

export interface ConcurrencyOptions {
  /** Auto mode: the limit never goes above this (`--max-concurrency`). */
  max: number;
  /** Auto mode: the limit it starts from. */
  initial?: number;
  now?: () => number;
  /** Auto mode: called when the limit changes (for the log). */
  onChange?: (change: LimitChange & { inFlight: number }) => void;
}

/** Where auto mode starts: today's fixed default, safe for an API with a small quota. */
const AUTO_INITIAL_LIMIT = 8;

export function createConcurrency(setting: ConcurrencySetting, options: ConcurrencyOptions): Concurrency {
  const adaptive = setting === 'auto' ? createAdaptiveLimit({ initial: Math.min(options.initial ?? AUTO_INITIAL_LIMIT, options.max), max: options.max, now: options.now ?? Date.now }) : undefined;
  const places = pLimit(adaptive ? adaptive.limit : (setting as number));
  return {
    mode: adaptive ? 'auto' : 'fixed',
    get limit() {
      return places.concurrency;
    },
    get inFlight() {
      return places.activeCount;
    },
    get waiting() {
      return places.pendingCount;
    },
    run: (task) => places(task),
    record(attempt) {
      if (!adaptive) return;
      const change = adaptive.record({ ...attempt, inFlight: places.activeCount });
      if (!change) return;
      // p-limit starts queued members at once when the limit grows; a cut lets members in flight finish.
      places.concurrency = change.to;
      options.onChange?.({ ...change, inFlight: places.activeCount });
    },
  };
}
