// What the stages of one run hand each other and the report: plain data, no behaviour. Each stage
// produces one of these facts; the report is built from them (src/report/build-report.ts).
import type { Action } from './actions.ts';
import type { IngestFile } from './export-shapes.ts';
import type { SetEventBasis } from './item-events.ts';

export interface PulledExport {
  /** A name for the report: the folder, or the export's common file-name prefix. */
  id: string;
  files: IngestFile[];
  /** When the export was taken: every event's `timestamp`. */
  asOf: Date;
  asOfFrom: 'file name' | 'manifest' | 'modification time';
  /** Older complete exports found waiting and set aside (each export is a full state: only the newest counts). */
  superseded?: { id: string; files: string[]; movedTo?: string }[];
}

/** What retention removed, and what it could not (with why); it never fails a run. */
export interface Pruned {
  removed: string[];
  problems: string[];
}

export interface FilePlacement {
  name: string;
  /** Where the file went: archive/…, failed/…, or left in place. */
  movedTo?: string;
}

/**
 * Members by what tonight's plan does with them; the parts add up to `total`: every member the run looked
 * at, i.e. each contact in tonight's members file (a valid row or a rejected one) and each active member
 * of the snapshot that is missing from it.
 */
export interface PlanTotals {
  members: { total: number; new: number; changed: number; unchanged: number; deleted: number; untouched: number };
  events: {
    planned: number;
    byAction: Partial<Record<Action, number>>;
    /** Coupon and stamp-card events per action, by why they took their form (`--item-events`). */
    byBasis: Partial<Record<Action, Partial<Record<SetEventBasis, number>>>>;
    /** Bytes of the planned request bodies, per action. */
    bodyBytes: Partial<Record<Action, number>>;
  };
  /** Active members the snapshot knew before this run (the mass-delete and mass-clear guards' denominator). */
  knownMembers: number;
  /** Per member field or set (`tier`, `coupons (all)`): how many known members tonight's plan clears it for. */
  cleared: Record<string, number>;
  warnings: string[];
}

/** A member left untouched: where its first rejected (or orphan) row is, and why it was left. */
export interface UntouchedMember {
  contactId: string;
  file?: string;
  line?: number;
  column?: string;
  reason: string;
}

export interface PlannedRun extends PlanTotals {
  /** The first untouched members (contact_id order), for the report. */
  untouchedListed: UntouchedMember[];
}

export interface PlannedEvent {
  eventId: string;
  action: Action;
  /** The exact request body; a re-send sends these bytes again. */
  body: string;
  /**
   * The body's size in UTF-8, when the planner measured it (planMember does; an event read back from the
   * outbox does not). Counted while the event id encodes the payload: measuring the finished body would
   * first copy it (a concatenation), once per event (1.4 s of CPU at 1M members).
   */
  bodyBytes?: number;
  /** A coupon or stamp-card event: why it is a full replacement or a per-item event (`--item-events`). */
  basis?: SetEventBasis;
}

export interface DeliveryTotals {
  members: number;
  membersFailed: number;
  eventsAccepted: number;
  eventsFailed: number;
  acceptedByAction: Partial<Record<Action, number>>;
  retries: number;
  /** The run's deadline stopped delivery: what was not sent waits in the outbox for the next run. */
  stoppedAtDeadline?: true;
}
