// The plan stage of a run: the snapshot and tonight's staged export merged member by member, planned, and
// (unless a dry run) written to the outbox in one transaction, which a guard can still roll back.
import type { IngestResult, Reject } from '../base/export-shapes.ts';
import { ITEM_KINDS, type ItemKind } from '../base/kinds.ts';
import { shownValue } from '../ingest/shown-value.ts';
import { refuseMassClear, refuseMassDelete } from '../plan/guards.ts';
import { mergeByContact, type MergedMember, type OrphanItem } from '../plan/merge.ts';
import { planRun, type UntouchedCause } from '../plan/plan-run.ts';
import { type PlannedRun, type PulledExport, type UntouchedMember } from '../base/run-shapes.ts';
import { onlyInShard, shardFilter } from '../base/shard.ts';
import { formatUtc } from '../base/time.ts';
import type { RunReport } from '../base/report-schema.ts';
import type { SnapshotStore } from '../state/snapshot.ts';
import type { MemberState } from '../state/member-state.ts';
import type { Staging } from '../state/staging.ts';
import { eventIdEpoch } from '../state/state-meta.ts';
import { inTransaction } from '../state/store.ts';
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

const PLANNED_SAMPLE_SIZE = 5;

/** The plan stage's facts: the plan, or the error that stopped it, with what was planned up to then. */
export function planStage(run: RunContext, staging: Staging, ingest: IngestResult, pulled: PulledExport, beforeFirstPlan: () => void): PlanFacts {
  const sample: PlanFacts['sample'] = {};
  let orphanRows = 0;
  let planned: PlannedRun;
  try {
    planned = planToOutbox(run, staging, ingest, {
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
/** Untouched members listed in the report by id (the count covers them all). */
export const MAX_LISTED_UNTOUCHED = 1000;

function planToOutbox(run: RunContext, staging: Staging, ingest: IngestResult, tonight: Tonight): PlannedRun {
  const { config, outbox, snapshot } = run;
  const { sample } = tonight;
  const epoch = eventIdEpoch(run.store.db);
  const inShard = shardFilter(config.shard);
  // Few (a member gets at most one per run): the members' states as if they were applied need whole documents.
  const doubts = outbox.eventsInDoubt();
  const merged = mergeStaged(staging, ingest, withDocumentsFor(doubts, onlyInShard(snapshot.scan(), inShard), snapshot), [...doubts.keys()].filter(inShard ?? (() => true)));
  const membersFile = ingest.files.find((file) => file.kind === 'members')?.name;
  const describeUntouched = (entry: MergedMember, cause: UntouchedCause): UntouchedMember => {
    const { contactId } = entry;
    if (cause === 'rejected row') {
      const reject = staging.firstReject(contactId);
      return reject ? { contactId, ...reject } : { contactId, reason: 'a row of this member was rejected (see rejects.csv)' };
    }
    if (cause === 'orphan rows') {
      const orphan = entry.orphans[0]!;
      return { contactId, ...staging.origin(orphan.kind, contactId, orphan.itemId), column: 'contact_id', reason: 'not in the members export, but item rows name it: not deleted' };
    }
    return {
      contactId,
      ...(membersFile && { file: membersFile }),
      reason: 'not in the members export, but not deleted: the members file cannot be trusted to be complete this run (see the warnings)',
    };
  };
  let planning = false;
  const planAll = (): PlannedRun => {
    const untouchedListed: UntouchedMember[] = [];
    if (!config.dryRun) outbox.clearFailedPlans();
    const totals = planRun(merged, {
      ...(run.backfill && { backfill: run.backfill }),
      timestamp: tonight.timestamp,
      ...(epoch && { epoch }),
      itemEvents: config.itemEvents,
      documentsOf: (contactId) => snapshot.load(contactId),
      deletesAllowed: ingest.membersComplete,
      doubtsOf: (contactId) => doubts.get(contactId),
      onPlan: (memberPlan) => {
        if (!config.dryRun && !planning) {
          planning = true;
          tonight.beforeFirstPlan();
        }
        if (!config.dryRun) outbox.addPlan(memberPlan.contactId, memberPlan.events, run.runId, run.now().toISOString(), memberPlan.resolves);
        for (const event of memberPlan.events) {
          const planned = (sample[event.action] ??= []);
          if (planned.length < PLANNED_SAMPLE_SIZE) planned.push({ contactId: memberPlan.contactId, eventId: event.eventId });
        }
      },
      onOrphan: (item) => tonight.onOrphanRow(orphanReject(staging, ingest, item)),
      onUntouched: (entry, cause) => {
        if (untouchedListed.length < MAX_LISTED_UNTOUCHED) untouchedListed.push(describeUntouched(entry, cause));
      },
      ...(!config.allowMassClear && { memberDocOf: (contactId: string) => snapshot.load(contactId)?.member?.text }),
    });
    refuseMassDelete(totals, config.maxDeletePercent, config.allowMassDelete);
    refuseMassClear(totals, config.maxClearPercent, config.allowMassClear);
    // Planning a large export keeps the heartbeat timer from firing: commit a fresh beat with the plan.
    run.lock.beat();
    return { ...totals, untouchedListed };
  };
  if (config.dryRun) return planAll();
  const totals = inTransaction(run.store.db, planAll);
  run.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return totals;
}

/** The scan's states (hashes only) with whole documents for the members that have events in doubt. */
function* withDocumentsFor(doubts: ReadonlyMap<string, unknown>, states: Iterable<MemberState>, snapshot: SnapshotStore): Iterable<MemberState> {
  for (const state of states) yield doubts.has(state.contactId) ? (snapshot.load(state.contactId) ?? state) : state;
}

/**
 * Tonight's staged export joined with what the API holds, member by member (run and validate alike);
 * `inDoubt`: contacts with events in doubt, planned even when neither side knows them.
 */
export function mergeStaged(staging: Staging, ingest: IngestResult, snapshot: Iterable<MemberState>, inDoubt: Iterable<string> = []): Iterable<MergedMember> {
  return mergeByContact({
    snapshot,
    members: staging.members(),
    items: Object.fromEntries(ITEM_KINDS.map((kind) => [kind, staging.items(kind)])) as Record<ItemKind, ReturnType<Staging['items']>>,
    rejected: staging.rejectedContacts(),
    inDoubt,
    rejectedMemberRows: staging.rejectedMemberRows(),
    trustedKinds: ingest.trustedKinds,
  });
}

/** The reject of an item row whose contact is not in the members file (run and validate alike). */
export function orphanReject(staging: Staging, ingest: IngestResult, item: OrphanItem): Reject {
  const { file, line } = staging.origin(item.kind, item.contactId, item.itemId);
  const column = ingest.files.find((ingested) => ingested.name === file)?.columns?.contact_id ?? 'contact_id';
  return { file, line, column, reason: `expected a ${column} that is in the members file`, value: shownValue(item.contactId), contactId: item.contactId };
}
