// Worker-thread entry of a plan lane (plan-lanes.ts): its own readers of the staging files and the state
// file (read-only: the main thread holds the write transaction), its plans and orphan rejects into a
// lane file, its outcome and any error back to the main thread as plain data (a LaneEnd).
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { LaneEnd } from '../base/lane-worker.ts';
import { toThreadError } from '../base/thread-error.ts';
import { writeLanePlans } from '../state/lane-plans.ts';
import { snapshotStore } from '../state/snapshot.ts';
import { openStagingReader } from '../state/staging.ts';
import { planLane, type LaneOutcome, type LaneSettings } from './plan-lane.ts';

export interface PlanLaneWork {
  settings: LaneSettings;
  stagingDir: string;
  statePath: string;
  laneFile: string;
  /** False in a dry run: nothing is added to the outbox, so the plans need not be kept. */
  keepPlans: boolean;
}

if (parentPort) {
  const port = parentPort;
  const work = workerData as PlanLaneWork;
  try {
    const staging = openStagingReader(work.stagingDir);
    const state = new DatabaseSync(work.statePath, { readOnly: true });
    const lane = writeLanePlans(work.laneFile);
    let outcome: LaneOutcome;
    try {
      outcome = planLane(staging, snapshotStore(state), work.settings, {
        onPlan: (plan) => work.keepPlans && lane.addPlan(plan),
        onOrphanRow: (reject) => lane.addOrphanReject(reject),
      });
    } finally {
      // Committed before the main thread hears of it: it reads the lane file next.
      lane.close();
      state.close();
      staging.close();
    }
    port.postMessage({ type: 'done', value: outcome } satisfies LaneEnd<LaneOutcome>);
  } catch (error) {
    port.postMessage({ type: 'failed', error: toThreadError(error) } satisfies LaneEnd<LaneOutcome>);
  }
}
