// Planning side by side (`--plan-threads`): the members split into contact_id ranges of about the same
// size, the first planned by the main thread (straight into the outbox), each other one by a worker
// thread into a lane file that the main thread then adds in key order. The ranges partition the members
// and every lane plans its members exactly as one lane would: the outcome is the same, only sooner.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fromThreadError } from '../base/thread-error.ts';
import type { Backfill } from '../config/backfill.ts';
import type { KeyRange } from '../state/key-range.ts';
import type { Staging } from '../state/staging.ts';
import type { LaneOutcome } from './plan-lane.ts';
import type { PlanLaneMessage, PlanLaneWork } from './plan-worker.ts';

/**
 * With `--plan-threads auto`: below this many members, a worker's start-up eats most of what it saves (at
 * 100,000 a dry run's plan stage went from 2.0 to 1.6 s, a no-change rerun's from 1.3 to 1.4 s).
 */
export const PLAN_LANES_FROM_MEMBERS = 200_000;

/** The worker is this module's sibling: `.ts` when run from source, `.js` in the compiled package. */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './plan-worker.ts' : './plan-worker.js', import.meta.url);

/**
 * How many lanes plan tonight: `--plan-threads`, or for `auto` two on two cores from
 * PLAN_LANES_FROM_MEMBERS members. One for a backfill of listed contacts: its warning about listed
 * contacts that are not in the export needs to see them all.
 */
export function laneCount(threads: number | 'auto', members: number, cores: number, backfill: Backfill | undefined): number {
  if (backfill?.contacts) return 1;
  if (threads !== 'auto') return threads;
  return members >= PLAN_LANES_FROM_MEMBERS ? Math.min(2, cores) : 1;
}

/** The lanes' ranges of contact ids, in key order: about as many staged members in each. */
export function laneRanges(staging: Staging, lanes: number): KeyRange[] {
  if (lanes < 2) return [{}];
  const keys = staging.splitKeys(lanes);
  return [...keys, undefined].map((before, index) => ({ ...(index > 0 && { from: keys[index - 1] }), ...(before !== undefined && { before }) }));
}

export interface WorkerLane {
  laneFile: string;
  done: Promise<LaneOutcome>;
  stop(): Promise<void>;
}

export function startWorkerLane(work: Omit<PlanLaneWork, 'laneFile'>, laneNumber: number): WorkerLane {
  const laneFile = join(work.stagingDir, `plan-lane-${laneNumber}.sqlite`);
  // A bounded young generation keeps the worker's memory flat, as for the ingest lanes.
  const worker = new Worker(WORKER_ENTRY, { workerData: { ...work, laneFile } satisfies PlanLaneWork, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
  const done = new Promise<LaneOutcome>((resolve, reject) => {
    let outcome: { value: LaneOutcome } | { error: Error } | undefined;
    worker.on('message', (message: PlanLaneMessage) => {
      outcome = message.type === 'done' ? { value: message.outcome } : { error: fromThreadError(message.error) };
    });
    worker.on('error', (error) => (outcome ??= { error }));
    worker.on('exit', (code) => {
      if (outcome && 'value' in outcome) resolve(outcome.value);
      else reject(outcome?.error ?? new Error(`plan worker exited with code ${code} before it finished`));
    });
  });
  // Stopped lanes are not waited for by anyone else: their rejection is the stop, not news.
  done.catch(() => {});
  return {
    laneFile,
    done,
    stop: async () => {
      await worker.terminate();
    },
  };
}
