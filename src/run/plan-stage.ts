// The plan stage of a run: the snapshot and tonight's staged export merged member by member, planned (in
// lanes side by side for a large export: plan-lanes.ts), and (unless a dry run) written to the outbox in
// one transaction, which a guard can still roll back.
import { availableParallelism } from 'node:os';
import type { IngestResult, Reject } from '../base/export-shapes.ts';
import { refuseMassClear, refuseMassDelete } from '../plan/guards.ts';
import type { PlannedEvent, PlannedRun, PulledExport } from '../base/run-shapes.ts';
import { formatUtc } from '../base/time.ts';
import type { RunReport } from '../base/report-schema.ts';
import { inKeyRange, type KeyRange } from '../state/key-range.ts';
import { readLanePlans, type LanePlan } from '../state/lane-plans.ts';
import type { StagingArea } from '../state/staging.ts';
import { eventIdEpoch } from '../state/state-meta.ts';
import { inTransactionAsync } from '../state/store.ts';
import { joinOutcomes, planLane, type LaneOutcome, type LaneSettings } from './plan-lane.ts';
import { laneCount, laneRanges, startWorkerLane } from './plan-lanes.ts';
import type { RunContext } from './run-context.ts';
import type { PlanFacts } from './stage-facts.ts';

/** What planning tonight needs beyond the run's context. */
interface Tonight {
  /** The export's as-of time: every event's `timestamp`. */
  timestamp: string;
  /** Filled with the first planned events per action, for the report. */
  sample: RunReport['plannedSample'];
  /** An item row whose contact is not in the members export. */
  onOrphanRow: (reject: Reject) => void;
  /**
   * Called once, before the first member's plan is written (not in a dry run): the state backup, taken
   * only by a run that plans something, of what was committed before the plan's open transaction.
   */
  beforeFirstPlan: () => void;
}

/** The plan stage's facts: the plan, or the error that stopped it, with what was planned up to then. */
export async function planStage(run: RunContext, staging: StagingArea, ingest: IngestResult, pulled: PulledExport, beforeFirstPlan: () => void): Promise<PlanFacts> {
  const sample: PlanFacts['sample'] = {};
  let orphanRows = 0;
  let planned: PlannedRun;
  try {
    planned = await planToOutbox(run, staging, ingest, {
      timestamp: formatUtc(pulled.asOf.getTime()),
      sample,
      beforeFirstPlan,
      onOrphanRow: (reject) => {
        orphanRows++;
        run.rejects.add(reject);
      },
    });
  } catch (error) {
    return { sample, orphanRows, stoppedBy: error };
  }
  run.logger.info({ stage: 'plan', members: planned.members, events: planned.events.planned, rowsRejected: ingest.rowsRejected + orphanRows }, 'plan ready');
  return { planned, sample, orphanRows };
}

async function planToOutbox(run: RunContext, area: StagingArea, ingest: IngestResult, tonight: Tonight): Promise<PlannedRun> {
  const { config, outbox, snapshot } = run;
  const staging = area.reader();
  const epoch = eventIdEpoch(run.store.db);
  const doubts = outbox.eventsInDoubt();
  const settingsOf = (range: KeyRange): LaneSettings => ({
    timestamp: tonight.timestamp,
    ...(epoch && { epoch }),
    itemEvents: config.itemEvents,
    ...(run.backfill && { backfill: run.backfill }),
    allowMassClear: config.allowMassClear,
    ...(config.shard && { shard: config.shard }),
    ingest,
    range,
    doubts: doubtsIn(doubts, range),
  });
  let planning = false;
  const addToOutbox = (plan: LanePlan) => {
    if (config.dryRun) return;
    if (!planning) {
      planning = true;
      tonight.beforeFirstPlan();
    }
    outbox.addPlan(plan.contactId, plan.events, run.runId, run.now().toISOString(), plan.resolves);
  };
  const planAll = async (): Promise<PlannedRun> => {
    if (!config.dryRun) outbox.clearFailedPlans();
    const lanes = laneCount(config.planThreads, staging.memberCount(), availableParallelism(), run.backfill);
    const [ownRange, ...workerRanges] = laneRanges(staging, lanes);
    const workers = workerRanges.map((range, index) =>
      startWorkerLane({ settings: settingsOf(range), stagingDir: area.dir, statePath: run.store.path, keepPlans: !config.dryRun }, index + 1),
    );
    const outcomes: LaneOutcome[] = [];
    try {
      outcomes.push(planLane(staging, snapshot, settingsOf(ownRange!), { onPlan: addToOutbox, onOrphanRow: tonight.onOrphanRow }, tonight.sample));
      for (const worker of workers) outcomes.push(await worker.done);
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.stop()));
      throw error;
    }
    // The workers' plans and rejects, lane by lane: in key order, as one lane would have recorded them.
    for (const worker of workers) {
      const lane = readLanePlans(worker.laneFile);
      try {
        for (const plan of lane.plans()) addToOutbox(plan);
        for (const reject of lane.orphanRejects()) tonight.onOrphanRow(reject);
      } finally {
        lane.close();
      }
    }
    const { totals, untouchedListed } = joinOutcomes(outcomes);
    refuseMassDelete(totals, config.maxDeletePercent, config.allowMassDelete);
    refuseMassClear(totals, config.maxClearPercent, config.allowMassClear);
    // Planning a large export keeps the heartbeat timer from firing: commit a fresh beat with the plan.
    run.lock.beat();
    return { ...totals, untouchedListed };
  };
  if (config.dryRun) return planAll();
  const totals = await inTransactionAsync(run.store.db, planAll);
  run.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return totals;
}

/** The events in doubt of the contacts in `range`. */
function doubtsIn(doubts: ReadonlyMap<string, PlannedEvent[]>, range: KeyRange): Map<string, PlannedEvent[]> {
  return new Map([...doubts].filter(([contactId]) => inKeyRange(contactId, range)));
}
