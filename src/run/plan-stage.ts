// The plan stage of a run: the snapshot and tonight's staged export merged member by member, planned, and
// (unless a dry run) written to the outbox in one transaction, which a guard can still roll back.
import type { DatabaseSync } from 'node:sqlite';
import type { RunConfig } from '../config/schema.ts';
import type { IngestResult, Reject } from '../base/export-shapes.ts';
import { ITEM_KINDS, type ItemKind } from '../base/kinds.ts';
import { shownValue } from '../ingest/shown-value.ts';
import { refuseMassClear, refuseMassDelete } from '../plan/guards.ts';
import { mergeByContact, type MergedMember, type OrphanItem } from '../plan/merge.ts';
import { planRun, type UntouchedCause } from '../plan/plan-run.ts';
import { type Backfill } from '../config/backfill.ts';
import { type PlannedRun, type UntouchedMember } from '../base/run-shapes.ts';
import { onlyInShard } from '../base/shard.ts';
import type { RunReport } from '../base/report-schema.ts';
import type { Outbox } from '../state/outbox.ts';
import type { RunLock } from '../state/run-lock.ts';
import type { SnapshotStore } from '../state/snapshot.ts';
import type { MemberState } from '../state/member-state.ts';
import type { Staging } from '../state/staging.ts';
import { inTransaction } from '../state/store.ts';

export interface PlanStageDeps {
  config: RunConfig;
  db: DatabaseSync;
  snapshot: SnapshotStore;
  outbox: Outbox;
  lock: RunLock;
  runId: string;
  now: () => Date;
  /** The export's as-of time: every event's `timestamp`. */
  timestamp: string;
  /** The state file's event-id epoch, if it was started over. */
  epoch?: string;
  inShard?: (contactId: string) => boolean;
  backfill?: Backfill;
  /** Filled with the first planned events per action, for the report. */
  sample: RunReport['plannedSample'];
  /** An item row whose contact is not in the members export. */
  onOrphanRow: (reject: Reject) => void;
  /**
   * Called once, before the first member's plan is written (not in a dry run): the state backup, taken
   * only by a run that plans something, of what was committed before the plan's open transaction.
   */
  beforeFirstPlan?: () => void;
}

const PLANNED_SAMPLE_SIZE = 5;
/** Untouched members listed in the report by id (the count covers them all). */
export const MAX_LISTED_UNTOUCHED = 1000;

export function planToOutbox(staging: Staging, ingest: IngestResult, deps: PlanStageDeps): PlannedRun {
  const { config, outbox, sample } = deps;
  // Few (a member gets at most one per run): the members' states as if they were applied need whole documents.
  const doubts = outbox.eventsInDoubt();
  const inShard = deps.inShard ?? (() => true);
  const merged = mergeStaged(staging, ingest, withDocumentsFor(doubts, onlyInShard(deps.snapshot.scan(), deps.inShard), deps.snapshot), [...doubts.keys()].filter(inShard));
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
      ...(deps.backfill && { backfill: deps.backfill }),
      timestamp: deps.timestamp,
      ...(deps.epoch && { epoch: deps.epoch }),
      itemEvents: config.itemEvents,
      documentsOf: (contactId) => deps.snapshot.load(contactId),
      deletesAllowed: ingest.membersComplete,
      doubtsOf: (contactId) => doubts.get(contactId),
      onPlan: (memberPlan) => {
        if (!config.dryRun && !planning) {
          planning = true;
          deps.beforeFirstPlan?.();
        }
        if (!config.dryRun) outbox.addPlan(memberPlan.contactId, memberPlan.events, deps.runId, deps.now().toISOString(), memberPlan.resolves);
        for (const event of memberPlan.events) {
          const planned = (sample[event.action] ??= []);
          if (planned.length < PLANNED_SAMPLE_SIZE) planned.push({ contactId: memberPlan.contactId, eventId: event.eventId });
        }
      },
      onOrphan: (item) => deps.onOrphanRow(orphanReject(staging, ingest, item)),
      onUntouched: (entry, cause) => {
        if (untouchedListed.length < MAX_LISTED_UNTOUCHED) untouchedListed.push(describeUntouched(entry, cause));
      },
      ...(!config.allowMassClear && { memberDocOf: (contactId: string) => deps.snapshot.load(contactId)?.member?.text }),
    });
    refuseMassDelete(totals, config.maxDeletePercent, config.allowMassDelete);
    refuseMassClear(totals, config.maxClearPercent, config.allowMassClear);
    // Planning a large export keeps the heartbeat timer from firing: commit a fresh beat with the plan.
    deps.lock.beat();
    return { ...totals, untouchedListed };
  };
  if (config.dryRun) return planAll();
  const totals = inTransaction(deps.db, planAll);
  deps.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
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
