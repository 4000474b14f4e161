// One plan lane: the members of one contact_id range merged, planned and handed to `onPlan`, in key
// order. The plan stage runs one lane over every member, or several side by side (plan-lanes.ts): the
// main thread's own and one per worker thread. Everything a lane needs is plain data, so a worker gets
// the same settings the main thread has.
import type { Backfill } from '../config/backfill.ts';
import type { IngestResult, Reject } from '../base/export-shapes.ts';
import type { ItemEventMode } from '../base/item-events.ts';
import { ITEM_KINDS, type ItemKind } from '../base/kinds.ts';
import type { RunReport } from '../base/report-schema.ts';
import type { PlannedEvent, PlanTotals, UntouchedMember } from '../base/run-shapes.ts';
import { onlyInShard, shardFilter, type Shard } from '../base/shard.ts';
import { shownValue } from '../ingest/shown-value.ts';
import type { PlanAfterDoubt } from '../plan/in-doubt.ts';
import { mergeByContact, type MergedMember, type OrphanItem } from '../plan/merge.ts';
import { planRun, type UntouchedCause } from '../plan/plan-run.ts';
import type { KeyRange } from '../state/key-range.ts';
import type { MemberState } from '../state/member-state.ts';
import type { SnapshotStore } from '../state/snapshot.ts';
import type { Staging } from '../state/staging.ts';

/** What a lane plans with: the run's settings for planning, all of them structured-cloneable. */
export interface LaneSettings {
  /** The export's as-of time: every event's `timestamp`. */
  timestamp: string;
  epoch?: string;
  itemEvents: ItemEventMode;
  backfill?: Backfill;
  allowMassClear: boolean;
  shard?: Shard;
  ingest: IngestResult;
  /** The lane's contacts; every member when left out. */
  range: KeyRange;
  /** Events in doubt of the lane's contacts, oldest first per contact. */
  doubts: ReadonlyMap<string, PlannedEvent[]>;
}

/** What a lane found besides its plans: its totals, and its first planned events and untouched members. */
export interface LaneOutcome {
  totals: PlanTotals;
  sample: RunReport['plannedSample'];
  untouchedListed: UntouchedMember[];
}

export interface LaneSinks {
  onPlan: (plan: PlanAfterDoubt) => void;
  /** An item row whose contact is not in the members export. */
  onOrphanRow: (reject: Reject) => void;
}

const PLANNED_SAMPLE_SIZE = 5;
/** Untouched members listed in the report by id (the count covers them all). */
export const MAX_LISTED_UNTOUCHED = 1000;

/** `sample`: filled as the lane plans (the run reports what was planned up to an error). */
export function planLane(staging: Staging, snapshot: SnapshotStore, settings: LaneSettings, sinks: LaneSinks, sample: RunReport['plannedSample'] = {}): LaneOutcome {
  const { ingest, doubts, range } = settings;
  const inShard = shardFilter(settings.shard);
  // Few (a member gets at most one per run): the members' states as if they were applied need whole documents.
  const states = withDocumentsFor(doubts, onlyInShard(snapshot.scan(range), inShard), snapshot);
  const merged = mergeStaged(staging, ingest, states, [...doubts.keys()].filter(inShard ?? (() => true)), range);
  const untouchedListed: UntouchedMember[] = [];
  const totals = planRun(merged, {
    ...(settings.backfill && { backfill: settings.backfill }),
    timestamp: settings.timestamp,
    ...(settings.epoch && { epoch: settings.epoch }),
    itemEvents: settings.itemEvents,
    documentsOf: (contactId) => snapshot.load(contactId),
    deletesAllowed: ingest.membersComplete,
    doubtsOf: (contactId) => doubts.get(contactId),
    onPlan: (memberPlan) => {
      sinks.onPlan(memberPlan);
      for (const event of memberPlan.events) {
        const planned = (sample[event.action] ??= []);
        if (planned.length < PLANNED_SAMPLE_SIZE) planned.push({ contactId: memberPlan.contactId, eventId: event.eventId });
      }
    },
    onOrphan: (item) => sinks.onOrphanRow(orphanReject(staging, ingest, item)),
    onUntouched: (entry, cause) => {
      if (untouchedListed.length < MAX_LISTED_UNTOUCHED) untouchedListed.push(describeUntouched(staging, ingest, entry, cause));
    },
    ...(!settings.allowMassClear && { memberDocOf: (contactId: string) => snapshot.load(contactId)?.member?.text }),
  });
  return { totals, sample, untouchedListed };
}

/** The lanes' outcomes (in key order) joined into the first: as one lane over all their members would have found them. */
export function joinOutcomes(outcomes: readonly LaneOutcome[]): LaneOutcome {
  const [joined, ...others] = outcomes as [LaneOutcome, ...LaneOutcome[]];
  for (const outcome of others) {
    const { totals } = joined;
    for (const key of Object.keys(totals.members) as (keyof PlanTotals['members'])[]) totals.members[key] += outcome.totals.members[key];
    totals.events.planned += outcome.totals.events.planned;
    addCounts(totals.events.byAction, outcome.totals.events.byAction);
    addCounts(totals.events.bodyBytes, outcome.totals.events.bodyBytes);
    for (const [action, bases] of Object.entries(outcome.totals.events.byBasis)) addCounts((totals.events.byBasis[action as keyof typeof totals.events.byBasis] ??= {}), bases);
    totals.knownMembers += outcome.totals.knownMembers;
    addCounts(totals.cleared, outcome.totals.cleared);
    totals.warnings.push(...outcome.totals.warnings);
    for (const [action, planned] of Object.entries(outcome.sample)) {
      const joinedPlanned = (joined.sample[action as keyof typeof joined.sample] ??= []);
      joinedPlanned.push(...planned.slice(0, PLANNED_SAMPLE_SIZE - joinedPlanned.length));
    }
    joined.untouchedListed.push(...outcome.untouchedListed.slice(0, MAX_LISTED_UNTOUCHED - joined.untouchedListed.length));
  }
  return joined;
}

function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number | undefined>>): void {
  for (const [key, count] of Object.entries(counts)) into[key] = (into[key] ?? 0) + (count ?? 0);
}

function describeUntouched(staging: Staging, ingest: IngestResult, entry: MergedMember, cause: UntouchedCause): UntouchedMember {
  const { contactId } = entry;
  if (cause === 'rejected row') {
    const reject = staging.firstReject(contactId);
    return reject ? { contactId, ...reject } : { contactId, reason: 'a row of this member was rejected (see rejects.csv)' };
  }
  if (cause === 'orphan rows') {
    const orphan = entry.orphans[0]!;
    return { contactId, ...staging.origin(orphan.kind, contactId, orphan.itemId), column: 'contact_id', reason: 'not in the members export, but item rows name it: not deleted' };
  }
  const membersFile = ingest.files.find((file) => file.kind === 'members')?.name;
  return {
    contactId,
    ...(membersFile && { file: membersFile }),
    reason: 'not in the members export, but not deleted: the members file cannot be trusted to be complete this run (see the warnings)',
  };
}

/** The scan's states (hashes only) with whole documents for the members that have events in doubt. */
function* withDocumentsFor(doubts: ReadonlyMap<string, unknown>, states: Iterable<MemberState>, snapshot: SnapshotStore): Iterable<MemberState> {
  for (const state of states) yield doubts.has(state.contactId) ? (snapshot.load(state.contactId) ?? state) : state;
}

/**
 * Tonight's staged export joined with what the API holds, member by member (run and validate alike);
 * `inDoubt`: contacts with events in doubt, planned even when neither side knows them.
 */
export function mergeStaged(staging: Staging, ingest: IngestResult, snapshot: Iterable<MemberState>, inDoubt: Iterable<string> = [], range: KeyRange = {}): Iterable<MergedMember> {
  return mergeByContact({
    snapshot,
    members: staging.members(range),
    items: Object.fromEntries(ITEM_KINDS.map((kind) => [kind, staging.items(kind, range)])) as Record<ItemKind, ReturnType<Staging['items']>>,
    rejected: staging.rejectedContacts(range),
    inDoubt,
    rejectedMemberRows: staging.rejectedMemberRows(range),
    trustedKinds: ingest.trustedKinds,
  });
}

/** The reject of an item row whose contact is not in the members file (run and validate alike). */
export function orphanReject(staging: Staging, ingest: IngestResult, item: OrphanItem): Reject {
  const { file, line } = staging.origin(item.kind, item.contactId, item.itemId);
  const column = ingest.files.find((ingested) => ingested.name === file)?.columns?.contact_id ?? 'contact_id';
  return { file, line, column, reason: `expected a ${column} that is in the members file`, value: shownValue(item.contactId), contactId: item.contactId };
}
