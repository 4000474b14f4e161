// The fleet report's shape (fleet-report.json): one row per merchant, worst first, and the fleet's totals.
// A contract for machines, so it is a schema.
import { z } from 'zod';
import { RUN_STATUSES } from './report-schema.ts';

const count = z.number().int().min(0);

export const merchantRowSchema = z.object({
  id: z.string(),
  merchantSerialNumber: z.string(),
  status: z.enum(RUN_STATUSES),
  exitCode: z.number().int(),
  /** The merchant's run, when it got as far as one (a configuration error or a held lock does not). */
  runId: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** New, changed and deleted members (planned and not refused). */
  membersChanged: count,
  events: z.object({ planned: count, accepted: count, failed: count }),
  /** Members that could not be delivered. */
  failures: count,
  /** Rows rejected. */
  rejects: count,
  durationMs: count,
  /** The merchant's own report.json and report.html, relative to the fleet report's folder. */
  report: z.object({ json: z.string(), html: z.string() }).optional(),
});

export const fleetReportSchema = z.object({
  fleetRunId: z.string(),
  /** The worst merchant's status (`skipped` when this partition has no merchant). */
  status: z.enum(RUN_STATUSES),
  /** The worst merchant's exit code, in the order of EXIT_SEVERITY (src/base/exit-codes.ts). */
  exitCode: z.number().int(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: count,
  /** `i/K` when this process ran one partition of the fleet. */
  partition: z.string().optional(),
  merchantsInFile: count,
  merchantConcurrency: count,
  maxRequestsInFlight: count,
  merchants: z.object({ total: count, byStatus: z.partialRecord(z.enum(RUN_STATUSES), count) }),
  totals: z.object({ membersChanged: count, eventsAccepted: count, eventsFailed: count, failures: count, rejects: count }),
  /** Worst first. */
  rows: z.array(merchantRowSchema),
});

export type MerchantRow = z.infer<typeof merchantRowSchema>;
export type FleetReport = z.infer<typeof fleetReportSchema>;
