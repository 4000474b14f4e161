// One run, wiring the stages: drain → pull → ingest → plan (outbox) → deliver → commit → report.
// Each stage returns its facts (src/run/stage-facts.ts); one pure function folds them, with how the run
// ended, into its status, error and exit code (src/run/run-verdict.ts). Whatever happens once the
// configuration is valid, the run ends with a report and its row in the state file finished (also when
// the state file is missing, damaged, read-only or on a full disk, or the report cannot be written:
// src/run/finish-run.ts, src/run/publish-report.ts); the snapshot only ever holds what the API
// accepted, and a backup of it is taken before a run commits.
import { newRunId } from './base/run-id.ts';
import { resolveBackfill } from './config/backfill.ts';
import { missingCredentialsMessage } from './config/load.ts';
import type { RunConfig } from './config/schema.ts';
import { ConfigError, isSyncError } from './errors.ts';
import type { Logger } from './log.ts';
import { refuseEmptyFiles, refuseTruncatedFiles } from './plan/guards.ts';
import { MIN_SECRET_LENGTH, registerConfiguredSecrets } from './privacy/secret-values.ts';
import type { Progress } from './report/progress.ts';
import { deliverOutbox, pruneOutboxHistory } from './run/deliver-stage.ts';
import { finishRun } from './run/finish-run.ts';
import { readExport, removeStaging } from './run/ingest-stage.ts';
import { planStage } from './run/plan-stage.ts';
import { logRunError, publishEarlyEnd, type SyncResult } from './run/publish-report.ts';
import { runContext, type RunContext } from './run/run-context.ts';
import { pullExport } from './run/source-stage.ts';
import { noStageFacts, throwIfStopped, timed, type StageFacts, type StagesEnd } from './run/stage-facts.ts';
import { backUpBeforeCommit, openRunState } from './run/state-stage.ts';
import type { SharedDelivery } from './deliver/shared-delivery.ts';
import type { Source } from './sources/source.ts';
import { acquireRunLock, type RunLock } from './state/run-lock.ts';
import { createStagingArea } from './state/staging.ts';
import { knownStateError, type StateStore } from './state/store.ts';

export interface SyncDeps {
  config: RunConfig;
  source: Source;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
  progress?: Progress;
  /** In a fleet (src/fleet/): the request cap and token cache the merchants share. */
  shared?: SharedDelivery;
  /** In a fleet: this merchant's serial number, which its state file then adds to every event id. */
  fleetMerchant?: string;
}

export type { SyncResult };

export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = newRunId(startedAt);
  if (!deps.config.dryRun && !deps.config.credentials) {
    throw new ConfigError(missingCredentialsMessage());
  }
  // Registered where the config is parsed; again here for callers that built it themselves (the demo).
  const tooShort = registerConfiguredSecrets(deps.config);
  if (tooShort.length > 0) {
    deps.logger.warn({ stage: 'run', secrets: tooShort }, `secrets shorter than ${MIN_SECRET_LENGTH} characters are not removed by value from reports and logs (only where their key is known)`);
  }
  const backfill = resolveBackfill(deps.config);
  const logger = deps.logger.child({ runId });
  const endEarly = (error: unknown) => publishEarlyEnd({ ...deps, logger, runId, startedAt, finishedAt: now(), error });
  let store: StateStore;
  try {
    store = await openRunState(deps.config, deps.source, deps.logger, { runId, now: startedAt, ...(deps.fleetMerchant && { fleetMerchant: deps.fleetMerchant }) });
  } catch (error) {
    return endEarly(error);
  }
  try {
    let lock: RunLock;
    try {
      lock = acquireRunLock(store.db, { runId, staleAfterMs: deps.config.lockStaleSeconds * 1000 });
    } catch (error) {
      return await endEarly(knownStateError(error, store.path, 'cannot be written (taking the run lock)') ?? error);
    }
    try {
      const run = runContext({ ...deps, logger, now, runId, startedAt, store, lock, ...(backfill && { backfill }) });
      const facts = noStageFacts();
      const end = await runStages(run, facts);
      return await finishRun(run, facts, end);
    } finally {
      try {
        lock.release();
      } catch (error) {
        // The run's outcome stands; the lock row is taken over as stale once this process is gone.
        logger.warn({ stage: 'state', error: (error as Error).message }, 'could not release the run lock');
      }
    }
  } finally {
    store.close();
  }
}

/** The stages in order, each one's facts recorded as it returns; how they ended, never a throw. */
async function runStages(run: RunContext, facts: StageFacts): Promise<StagesEnd> {
  try {
    run.runs.start(run.runId, run.startedAt.toISOString());
    facts.recorded = true;
    return await stages(run, facts);
  } catch (caught) {
    // An expected error (a guard, the state file's trouble) is coded; anything else is a bug.
    const stoppedBy = isSyncError(caught) ? caught : (knownStateError(caught, run.store.path, 'failed during the run') ?? caught);
    logRunError(run.logger, stoppedBy);
    return { stoppedBy };
  }
}

async function stages(run: RunContext, facts: StageFacts): Promise<StagesEnd> {
  const { config, outbox, logger } = run;
  // A crashed or interrupted run left plans in the outbox: deliver them before planning afresh, so
  // tonight's plan starts from what the API really has.
  if (!config.dryRun && outbox.pendingMemberCount() > 0) {
    facts.stateBackupsRemoved = backUpBeforeCommit(run);
    logger.info({ stage: 'drain', members: outbox.pendingMemberCount() }, 'delivering what an earlier run left in the outbox');
    facts.drained = await timed(facts.durationsMs, 'drain', () => deliverOutbox(run, 'drain'));
    throwIfStopped(facts.drained);
    // Planning over plans an interrupted drain left pending would lose track of what they sent.
    if (run.signal?.aborted) return 'interrupted';
    // Stopped by the deadline, the drain leaves plans pending too: tonight's export waits for them.
    if (facts.drained.totals?.stoppedAtDeadline) return 'waiting';
  }

  facts.pull = await pullExport(run);
  throwIfStopped(facts.pull);
  const { pulled } = facts.pull;
  if (!pulled) return 'skipped';

  const staging = createStagingArea(config.state, run.runId);
  try {
    const ingest = (facts.ingest = await timed(facts.durationsMs, 'ingest', () => readExport(run, pulled, staging)));
    refuseEmptyFiles(ingest, config.allowMassDelete);
    refuseTruncatedFiles(ingest, run.runs.lastRowsByKind(), config.minRowsPercent, config.allowMassDelete);
    // Backed up only by a run that plans something, of what was committed before the plan's transaction.
    const beforeFirstPlan = () => (facts.stateBackupsRemoved ??= backUpBeforeCommit(run));
    facts.plan = await timed(facts.durationsMs, 'plan', () => planStage(run, staging, ingest, pulled, beforeFirstPlan));
    throwIfStopped(facts.plan);
  } finally {
    removeStaging(run, staging);
  }
  if (config.dryRun) return 'dry-run';

  facts.delivered = await timed(facts.durationsMs, 'deliver', () => deliverOutbox(run, 'deliver'));
  throwIfStopped(facts.delivered);
  pruneOutboxHistory(run);
  return 'delivered';
}
