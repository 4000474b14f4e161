// The finish of a run that held its lock, whatever ended its stages: the last commit, the API connection
// closed, the export put away, rejects.csv, retention, then the report, the run's row and the
// announcement (publish-report.ts). No step stops the others: one that fails becomes a warning in the
// report (or, for the commit, the run's error), and the run's row is finished even when the report
// cannot be written or built.
import type { RunReport } from '../base/report-schema.ts';
import type { FilePlacement } from '../base/run-shapes.ts';
import type { Logger } from '../log.ts';
import { buildReport } from '../report/build-report.ts';
import { TREND_RUNS } from '../report/run-trend.ts';
import { sendingLeft, type SendingLeft } from '../report/send-estimate.ts';
import type { ColumnsByKind, RunRecord } from '../state/runs.ts';
import { commitDelivered } from './deliver-stage.ts';
import { bareFacts, logRunError, publishReport, type SyncResult } from './publish-report.ts';
import { pruneExpired, type Expired } from './retention-stage.ts';
import type { RunContext } from './run-context.ts';
import { verdictOf, type RunEnd, type RunVerdict } from './run-verdict.ts';
import { putAwayExport } from './source-stage.ts';
import { MAX_LISTED_FAILURES, noStageFacts, type StageFacts, type StagesEnd } from './stage-facts.ts';

export async function finishRun(run: RunContext, facts: StageFacts, stages: StagesEnd): Promise<SyncResult> {
  let finished: { report: RunReport; verdict: RunVerdict; history: RunRecord[] };
  try {
    finished = await finishSteps(run, facts, stages);
  } catch (error) {
    // A bug in the steps above: the run still gets a report, and its row does not stay `running`.
    logRunError(run.logger, error);
    await run.sender.close().catch(() => undefined);
    const verdict = verdictOf(noStageFacts(), { stages: { stoppedBy: error }, aborted: false, failOnRejects: false });
    finished = { report: buildReport(bareFacts({ ...run, finishedAt: run.now() }, verdict)), verdict, history: [] };
  }
  const { report, verdict, history } = finished;
  return publishReport(run.config, report, {
    history,
    ...(facts.recorded && { runs: run.runs }),
    logger: run.logger,
    runOfRecord: verdict.ownsTheRun,
    ...(facts.ingest && { columnsByKind: columnsByKind(facts) }),
  });
}

async function finishSteps(run: RunContext, facts: StageFacts, stages: StagesEnd) {
  const { config, logger } = run;
  const warnings: string[] = [];
  const step = finishStep(logger, warnings);
  await step('could not stop the progress display', () => run.progress?.stop());
  const end: RunEnd = { stages, aborted: run.signal?.aborted ?? false, failOnRejects: config.failOnRejects };
  try {
    commitDelivered(run);
  } catch (error) {
    end.commitFailed = error;
    if (typeof stages !== 'object') logRunError(logger, error);
  }
  await step('could not close the connection to the API', () => run.sender.close());
  const verdict = verdictOf(facts, end);
  // A run that lost its lock owns nothing any more: the state file, the export and latest.json belong
  // to the run that took over. It only leaves its own report behind.
  const placements = verdict.ownsTheRun ? ((await step('could not archive the export', () => putAwayExport(run, facts.pull?.pulled, verdict, (warning) => warnings.push(warning)))) ?? []) : [];
  const rejectsFile = await step('rejects.csv could not be written', () => run.rejects.close(facts.ingest?.files.map((file) => file.name)));
  const expired = !config.dryRun && verdict.ownsTheRun ? await step('could not remove what is past its retention', () => pruneExpired(config, run.source, run.runId, run.now(), logger)) : undefined;
  warnings.push(...(expired?.warnings ?? []));
  const history = (await step('the trend of earlier runs is missing', () => run.runs.recent(TREND_RUNS))) ?? [];
  const waiting = config.dryRun ? undefined : await step('could not count what waits in the outbox', () => ({ members: run.outbox.pendingMemberCount(), events: run.outbox.pendingEventCount() }));
  const left = sendingLeft({
    dryRun: config.dryRun,
    plannedEvents: facts.plan?.planned?.events.planned ?? 0,
    ...(waiting && { waiting }),
    stoppedAtDeadline: Boolean(facts.drained?.totals?.stoppedAtDeadline ?? facts.delivered?.totals?.stoppedAtDeadline),
    ...(config.deadlineMinutes !== undefined && { deadlineMinutes: config.deadlineMinutes }),
    ...(config.maxRate !== undefined && { maxRate: config.maxRate }),
    history,
  });
  warnings.push(...left.warnings);
  const report = reportOfRun(run, facts, verdict, { placements, rejectsFile, expired, warnings, left });
  return { report, verdict, history };
}

/**
 * Runs one finish step; a step that throws becomes a warning (`what: why`) and the finish goes on.
 * Returns the step's result, or undefined when it failed.
 */
function finishStep(logger: Logger, warnings: string[]) {
  return async <T>(what: string, work: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const warning = `${what}: ${(error as Error)?.message ?? String(error)}`;
      logger.warn({ stage: 'report', error: (error as Error)?.message }, what);
      warnings.push(warning);
      return undefined;
    }
  };
}

interface FinishFacts {
  placements: FilePlacement[];
  rejectsFile: string | undefined;
  expired: Expired | undefined;
  /** What the finish could not do, and what waits for the next run. */
  warnings: string[];
  /** Sending still to come: a dry run's plan, or what waits in the outbox. */
  left: SendingLeft;
}

function reportOfRun(run: RunContext, facts: StageFacts, verdict: RunVerdict, finish: FinishFacts): RunReport {
  const { config } = run;
  const { pull, ingest, plan, drained, delivered } = facts;
  const total = Math.round(run.now().getTime() - run.startedAt.getTime());
  const deliveries = [drained, delivered].filter((delivery) => delivery !== undefined);
  return buildReport({
    ...bareFacts({ ...run, finishedAt: run.now() }, verdict),
    ...(pull?.pulled && { pulled: pull.pulled }),
    placements: finish.placements,
    ...(ingest && { ingest }),
    orphanRows: plan?.orphanRows ?? 0,
    ...(plan?.planned && { plan: plan.planned }),
    failedByChange: { new: delivered?.failedByChange.new ?? 0, changed: delivered?.failedByChange.changed ?? 0, deleted: delivered?.failedByChange.deleted ?? 0 },
    ...(drained?.totals && { drained: drained.totals }),
    ...(delivered?.totals && { delivered: delivered.totals }),
    failures: deliveries.flatMap((delivery) => delivery.failures).slice(0, MAX_LISTED_FAILURES),
    failureCount: deliveries.reduce((sum, delivery) => sum + delivery.membersFailed, 0),
    rejects: { ...(finish.rejectsFile && { file: 'rejects.csv' }), byReason: run.rejects.summary() },
    warnings: [...(pull?.warnings ?? []), ...(ingest?.warnings ?? []), ...(plan?.planned?.warnings ?? []), ...verdict.warnings, ...finish.warnings],
    durationsMs: { ...facts.durationsMs, total },
    delivery: run.telemetry.summary(),
    plannedSample: plan?.sample ?? {},
    ...(finish.left.waiting && { waiting: finish.left.waiting }),
    ...(finish.left.sendEstimate && { sendEstimate: finish.left.sendEstimate }),
    ...(!config.dryRun && {
      pruned: { reportFolders: finish.expired?.reportFolders ?? [], dropFolder: finish.expired?.dropFolder ?? [], stateBackups: facts.stateBackupsRemoved ?? [] },
    }),
  });
}

function columnsByKind(facts: StageFacts): ColumnsByKind {
  const columns: ColumnsByKind = {};
  for (const file of facts.ingest?.files ?? []) if (file.columns) columns[file.kind] = file.columns;
  return columns;
}
