// Planning side by side (`--plan-threads`): the members split into contact_id ranges of about the same
// size, the first planned by the main thread (straight into the outbox), each other one by a worker
// thread into a lane file that the main thread then adds in key order. The ranges partition the members
// and every lane plans its members exactly as one lane would: the outcome is the same, only sooner.
import { join } from 'node:path';
import { siblingEntry, startLaneWorker, type LaneWorker } from '../base/lane-worker.ts';
import type { Backfill } from '../config/backfill.ts';
import type { KeyRange } from '../state/key-range.ts';
import type { Staging } from '../state/staging.ts';
import type { LaneOutcome } from './plan-lane.ts';
import type { PlanLaneWork } from './plan-worker.ts';

/**
 * With `--plan-threads auto`: below this many members, a worker's start-up eats most of what it saves (at
 * 100,000 a dry run's plan stage went from 2.0 to 1.6 s, a no-change rerun's from 1.3 to 1.4 s).
 */
export const PLAN_LANES_FROM_MEMBERS = 200_000;

const WORKER_ENTRY = siblingEntry(import.meta.url, 'plan-worker');

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

export interface WorkerLane extends LaneWorker<LaneOutcome> {
  laneFile: string;
}

export function startWorkerLane(work: Omit<PlanLaneWork, 'laneFile'>, laneNumber: number): WorkerLane {
  const laneFile = join(work.stagingDir, `plan-lane-${laneNumber}.sqlite`);
  return { laneFile, ...startLaneWorker<LaneOutcome>(WORKER_ENTRY, { ...work, laneFile } satisfies PlanLaneWork, 'plan') };
}
