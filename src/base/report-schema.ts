// The run report's shape (report.json, latest.json): a contract for machines, so it is a schema.
import { z } from 'zod';
import { ACTIONS } from '../base/actions.ts';
import { ITEM_EVENT_MODES, SET_EVENT_BASES } from '../base/item-events.ts';

const count = z.number().int().min(0);
const byAction = z.partialRecord(z.enum(ACTIONS), count);

export const RUN_STATUSES = ['succeeded', 'partial', 'failed', 'refused', 'skipped', 'dry-run'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const reportSchema = z.object({
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  exitCode: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string(),
  options: z.object({
    dryRun: z.boolean(),
    full: z.boolean(),
    allowMassDelete: z.boolean(),
    /** `--item-events`: how coupon and stamp-card changes were sent. */
    itemEvents: z.enum(ITEM_EVENT_MODES).optional(),
    shard: z.string().optional(),
    newState: z.boolean().optional(),
    /** The state file (absolute): a later run that finds it missing knows it existed (src/run/state-stage.ts). */
    state: z.string().optional(),
    /** The run ended before it had a state file (none was there, none was made): it names none. */
    stateMissing: z.literal(true).optional(),
  }),
  source: z.object({
    description: z.string(),
    exportId: z.string().optional(),
    asOf: z.string().optional(),
    asOfFrom: z.string().optional(),
    superseded: z.array(z.object({ id: z.string(), files: z.array(z.string()), movedTo: z.string().optional() })).optional(),
    files: z.array(
      z.object({
        name: z.string(),
        kind: z.string(),
        rows: count,
        rejected: count,
        bytes: count,
        sha256: z.string(),
        encoding: z.string(),
        delimiter: z.string(),
        movedTo: z.string().optional(),
      }),
    ),
  }),
  /**
   * Every member the run looked at (each contact in the members file, valid row or rejected, and each
   * active member of the snapshot missing from it), in parts that add up to `total`: new, changed and
   * deleted were planned and not refused; failed were planned but not (all) accepted; unchanged need
   * nothing; untouched were left as they are (see `untouched`).
   */
  members: z.object({ total: count, new: count, changed: count, unchanged: count, deleted: count, failed: count, untouched: count }),
  rows: z.object({ read: count, rejected: count }),
  events: z.object({
    planned: count,
    accepted: count,
    failed: count,
    retries: count,
    /** Events left by an earlier, interrupted run and delivered first. */
    drained: count,
    byAction,
    plannedByAction: byAction,
    /** Coupon and stamp-card events planned, per action, by why they took their form (`--item-events`). */
    plannedByBasis: z.partialRecord(z.enum(ACTIONS), z.partialRecord(z.enum(SET_EVENT_BASES), count)).optional(),
    /** Bytes of the request bodies planned, per action (what the run sends once every event is accepted). */
    plannedBodyBytes: byAction.optional(),
  }),
  failures: z.array(
    z.object({ contactId: z.string(), action: z.string(), status: z.number().optional(), code: z.string(), detail: z.string() }),
  ),
  /** How many failures exist beyond the listed ones (the list is capped). */
  failuresNotListed: count,
  /** The first 1,000 untouched members (contact_id order): where (file:line, column) and why. */
  untouched: z
    .array(z.object({ contactId: z.string(), file: z.string().optional(), line: z.number().int().optional(), column: z.string().optional(), reason: z.string() }))
    .default([]),
  /** Untouched members beyond the listed ones. */
  untouchedNotListed: count.default(0),
  rejects: z.object({
    file: z.string().optional(),
    byReason: z.array(z.object({ reason: z.string(), count, examples: z.array(z.string()) })),
  }),
  warnings: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  durationsMs: z.object({ drain: count, ingest: count, plan: count, deliver: count, total: count }),
  /** How sending went: every HTTP attempt (retries included), over the run. */
  delivery: z.object({
    attempts: count,
    /** Answers by HTTP status; `network` for attempts without an answer (reset, timeout). */
    byStatus: z.record(z.string(), count),
    latencyMs: z.object({ p50: z.number(), p95: z.number(), max: z.number() }),
    /**
     * Send rate and latency over time; `atSeconds` is the start of each slice since the run started.
     * `limit`: the mean concurrency limit the slice's answers came under; `rateLimited`: its 429 answers.
     */
    timeline: z.array(
      z.object({
        atSeconds: z.number(),
        seconds: z.number(),
        accepted: count,
        failed: count,
        p50Ms: z.number(),
        p95Ms: z.number(),
        rateLimited: count.optional(),
        limit: z.number().optional(),
      }),
    ),
  }),
  /** What the outbox still holds for the next run (the deadline or a signal stopped delivery); absent when nothing. */
  waiting: z.object({ members: count, events: count }).optional(),
  /**
   * How long sending will take: the planned events of a dry run (and any an earlier run left), or the
   * events waiting after this run, at --max-rate or the rate the last run measured (`runId`).
   */
  sendEstimate: z
    .object({ events: count, eventsPerSec: z.number().positive(), seconds: count, basis: z.enum(['max-rate', 'last run']), runId: z.string().optional() })
    .optional(),
  /** What retention removed during this run: run folders (ids), drop-folder entries, state backups (paths). */
  pruned: z.object({ reportFolders: z.array(z.string()), dropFolder: z.array(z.string()), stateBackups: z.array(z.string()) }).optional(),
  /** The first planned events per action (a readable sample of the plan, e.g. for --dry-run). */
  plannedSample: z.partialRecord(z.enum(ACTIONS), z.array(z.object({ contactId: z.string(), eventId: z.string() }))),
});

export type RunReport = z.infer<typeof reportSchema>;
