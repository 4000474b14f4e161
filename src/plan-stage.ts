// The plan stage of a run: the snapshot and tonight's staged export merged member by member, planned, and
// (unless a dry run) written to the outbox in one transaction, which a guard can still roll back.
import type { DatabaseSync } from 'node:sqlite';
import type { RunConfig } from './config/schema.ts';
import type { IngestResult, Reject } from './ingest/ingest-export.ts';
import { ITEM_KINDS, type ItemKind } from './ingest/kinds.ts';
import { shownValue } from './ingest/shown-value.ts';
import { refuseMassClear, refuseMassDelete } from './plan/guards.ts';
import { mergeByContact, type MergedMember, type OrphanItem } from './plan/merge.ts';
import type { MemberState } from './plan/member-state.ts';
import { planRun, type Backfill, type PlanTotals } from './plan/plan-run.ts';
import { onlyInShard } from './plan/shard.ts';
import type { RunReport } from './report/report-schema.ts';
import type { Outbox } from './state/outbox.ts';
import type { RunLock } from './state/run-lock.ts';
import type { SnapshotStore } from './state/snapshot.ts';
import type { Staging } from './state/staging.ts';
import { inTransaction } from './state/store.ts';

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
  inShard?: (contactId: string) => boolean;
  backfill?: Backfill;
  /** Filled with the first planned events per action, for the report. */
  sample: RunReport['plannedSample'];
  /** An item row whose contact is not in the members export. */
  onOrphanRow: (reject: Reject) => void;
}

const PLANNED_SAMPLE_SIZE = 5;

export function planToOutbox(staging: Staging, ingest: IngestResult, deps: PlanStageDeps): PlanTotals {
  const { config, outbox, sample } = deps;
  const merged = mergeStaged(staging, ingest, onlyInShard(deps.snapshot.scan(), deps.inShard));
  const planAll = () => {
    if (!config.dryRun) outbox.clearFailedPlans();
    const totals = planRun(merged, {
      ...(deps.backfill && { backfill: deps.backfill }),
      timestamp: deps.timestamp,
      deletesAllowed: ingest.membersComplete,
      onPlan: (memberPlan) => {
        if (!config.dryRun) outbox.addPlan(memberPlan.contactId, memberPlan.events, deps.runId, deps.now().toISOString());
        for (const event of memberPlan.events) {
          const planned = (sample[event.action] ??= []);
          if (planned.length < PLANNED_SAMPLE_SIZE) planned.push({ contactId: memberPlan.contactId, eventId: event.eventId });
        }
      },
      onOrphan: (item) => deps.onOrphanRow(orphanReject(staging, ingest, item)),
      ...(!config.allowMassClear && { memberDocOf: (contactId: string) => deps.snapshot.load(contactId)?.member?.text }),
    });
    refuseMassDelete(totals, config.maxDeletePercent, config.allowMassDelete);
    refuseMassClear(totals, config.maxClearPercent, config.allowMassClear);
    // Planning a large export keeps the heartbeat timer from firing: commit a fresh beat with the plan.
    deps.lock.beat();
    return totals;
  };
  if (config.dryRun) return planAll();
  const totals = inTransaction(deps.db, planAll);
  deps.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return totals;
}

/** Tonight's staged export joined with what the API holds, member by member (run and validate alike). */
export function mergeStaged(staging: Staging, ingest: IngestResult, snapshot: Iterable<MemberState>): Iterable<MergedMember> {
  return mergeByContact({
    snapshot,
    members: staging.members(),
    items: Object.fromEntries(ITEM_KINDS.map((kind) => [kind, staging.items(kind)])) as Record<ItemKind, ReturnType<Staging['items']>>,
    rejected: staging.rejectedContacts(),
    trustedKinds: ingest.trustedKinds,
  });
}

/** The reject of an item row whose contact is not in the members file (run and validate alike). */
export function orphanReject(staging: Staging, ingest: IngestResult, item: OrphanItem): Reject {
  const { file, line } = staging.origin(item.kind, item.contactId, item.itemId);
  const column = ingest.files.find((ingested) => ingested.name === file)?.columns?.contact_id ?? 'contact_id';
  return { file, line, column, reason: `expected a ${column} that is in the members file`, value: shownValue(item.contactId), contactId: item.contactId };
}
