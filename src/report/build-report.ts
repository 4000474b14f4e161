// Assembles report.json from what the stages counted and the run's verdict (src/run/run-verdict.ts). Pure.
import type { Action } from '../base/actions.ts';
import type { DeliveryTotals } from '../base/run-shapes.ts';
import type { IngestResult } from '../base/export-shapes.ts';
import type { PlannedRun } from '../base/run-shapes.ts';
import type { PulledExport, FilePlacement } from '../base/run-shapes.ts';
import type { RunReport, RunStatus } from '../base/report-schema.ts';


export interface RunFacts {
  runId: string;
  status: RunStatus;
  exitCode: number;
  error?: RunReport['error'];
  startedAt: Date;
  finishedAt: Date;
  options: RunReport['options'];
  sourceDescription: string;
  pulled?: PulledExport;
  placements: FilePlacement[];
  ingest?: IngestResult;
  orphanRows: number;
  plan?: PlannedRun;
  /** Members of tonight's plan whose delivery failed, by what the plan did with them. */
  failedByChange: Record<'new' | 'changed' | 'deleted', number>;
  drained?: DeliveryTotals;
  delivered?: DeliveryTotals;
  failures: RunReport['failures'];
  failureCount: number;
  rejects: RunReport['rejects'];
  warnings: string[];
  durationsMs: RunReport['durationsMs'];
  delivery: RunReport['delivery'];
  plannedSample: RunReport['plannedSample'];
  pruned?: RunReport['pruned'];
  waiting?: RunReport['waiting'];
  sendEstimate?: RunReport['sendEstimate'];
}

export function buildReport(facts: RunFacts): RunReport {
  const { pulled, ingest, plan, drained, delivered } = facts;
  const movedTo = new Map(facts.placements.map((file) => [file.name, file.movedTo]));
  const acceptedByAction: Partial<Record<Action, number>> = {};
  for (const totals of [drained, delivered]) {
    for (const [action, n] of Object.entries(totals?.acceptedByAction ?? {})) acceptedByAction[action as Action] = (acceptedByAction[action as Action] ?? 0) + n;
  }
  const sum = (pick: (totals: DeliveryTotals) => number) => (drained ? pick(drained) : 0) + (delivered ? pick(delivered) : 0);
  const failed = facts.failedByChange;
  const rowsRejected = (ingest?.rowsRejected ?? 0) + facts.orphanRows;
  return {
    runId: facts.runId,
    status: facts.status,
    exitCode: facts.exitCode,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    options: facts.options,
    source: {
      description: facts.sourceDescription,
      ...(pulled && { exportId: pulled.id, asOf: pulled.asOf.toISOString(), asOfFrom: pulled.asOfFrom }),
      ...(pulled?.superseded && { superseded: pulled.superseded }),
      files: (ingest?.files ?? []).map((file) => ({
        name: file.name,
        kind: file.kind,
        rows: file.rows,
        rejected: file.rejected,
        bytes: file.bytes,
        sha256: file.sha256,
        encoding: file.encoding,
        delimiter: file.delimiter === '\t' ? 'tab' : file.delimiter,
        ...(movedTo.get(file.name) && { movedTo: movedTo.get(file.name) }),
      })),
    },
    // A failed member counts as failed only, not also as the new/changed/deleted member it was planned as.
    members: {
      total: plan?.members.total ?? 0,
      new: (plan?.members.new ?? 0) - failed.new,
      changed: (plan?.members.changed ?? 0) - failed.changed,
      unchanged: plan?.members.unchanged ?? 0,
      deleted: (plan?.members.deleted ?? 0) - failed.deleted,
      failed: failed.new + failed.changed + failed.deleted,
      untouched: plan?.members.untouched ?? 0,
    },
    rows: { read: ingest?.rowsRead ?? 0, rejected: rowsRejected },
    events: {
      planned: plan?.events.planned ?? 0,
      accepted: sum((totals) => totals.eventsAccepted),
      failed: sum((totals) => totals.eventsFailed),
      retries: sum((totals) => totals.retries),
      drained: drained?.eventsAccepted ?? 0,
      byAction: acceptedByAction,
      plannedByAction: plan?.events.byAction ?? {},
      plannedByBasis: plan?.events.byBasis ?? {},
      plannedBodyBytes: plan?.events.bodyBytes ?? {},
    },
    failures: facts.failures,
    failuresNotListed: facts.failureCount - facts.failures.length,
    untouched: plan?.untouchedListed ?? [],
    untouchedNotListed: plan ? plan.members.untouched - plan.untouchedListed.length : 0,
    rejects: facts.rejects,
    warnings: facts.warnings,
    ...(facts.error && { error: facts.error }),
    durationsMs: facts.durationsMs,
    delivery: facts.delivery,
    ...(facts.pruned && { pruned: facts.pruned }),
    ...(facts.waiting && { waiting: facts.waiting }),
    ...(facts.sendEstimate && { sendEstimate: facts.sendEstimate }),
    plannedSample: facts.plannedSample,
  };
}
