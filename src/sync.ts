// One run, wiring the stages: drain → pull → ingest → plan (outbox) → deliver → commit → report.
// Whatever happens once the configuration is valid, the run ends with a report (also when the state file
// is missing, damaged, read-only or on a full disk: src/finish-run.ts); the snapshot only ever holds
// what the API accepted, and a backup of it is taken before a run commits.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveBackfill } from './config/backfill.ts';
import { missingCredentialsMessage } from './config/load.ts';
import type { RunConfig } from './config/schema.ts';
import { deliverPending } from './deliver/deliver.ts';
import { type MemberOutcome } from './state/commit.ts';
import { type DeliveryTotals } from './base/run-shapes.ts';
import type { OpenSender } from './deliver/open-sender.ts';
import { createTelemetry, type Telemetry } from './deliver/telemetry.ts';
import { ConfigError, GuardError, isSyncError } from './errors.ts';
import { logRunError, publishEarlyEnd, publishReport, reportedError, reportOptions, type SyncResult } from './run/finish-run.ts';
import { ingestExport } from './ingest/ingest-export.ts';
import { type IngestProgress, type IngestResult } from './base/export-shapes.ts';
import { formatUtc } from './base/time.ts';
import type { Logger } from './log.ts';
import { planToOutbox } from './run/plan-stage.ts';
import { refuseEmptyFiles, refuseTruncatedFiles } from './plan/guards.ts';
import type { Backfill } from './config/backfill.ts';
import { shardFilter } from './base/shard.ts';
import { MIN_SECRET_LENGTH, registerConfiguredSecrets } from './privacy/secret-values.ts';
import { buildReport, type RunFacts } from './report/build-report.ts';
import type { DeliveryProgress, Progress } from './report/progress.ts';
import { createRejectsLog, type RejectsLog } from './report/rejects.ts';
import type { RunReport, RunStatus } from './base/report-schema.ts';
import { TREND_RUNS } from './report/run-trend.ts';
import { outcomeForSource, type Source } from './sources/source.ts';
import { type FilePlacement } from './base/run-shapes.ts';
import { pruneExpired } from './run/retention-stage.ts';
import { backUpState, openRunState } from './run/state-stage.ts';
import { createCommitter, type Committer } from './state/commit.ts';
import { outboxStore, type Outbox } from './state/outbox.ts';
import { acquireRunLock, type RunLock } from './state/run-lock.ts';
import { runsTable, type ColumnsByKind, type RunRecord, type RunsTable } from './state/runs.ts';
import { snapshotStore, type SnapshotStore } from './state/snapshot.ts';
import { createStagingArea, type StagingArea } from './state/staging.ts';
import { eventIdEpoch } from './state/state-meta.ts';
import { knownStateError, type StateStore } from './state/store.ts';

export interface SyncDeps {
  config: RunConfig;
  source: Source;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
  progress?: Progress;
}

export type { SyncResult };

const MAX_LISTED_FAILURES = 1000;

export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = `${formatUtc(startedAt.getTime()).replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
  if (!deps.config.dryRun && !deps.config.credentials) {
    throw new ConfigError(missingCredentialsMessage());
  }
  // Registered where the config is parsed; again here for callers that built it themselves (the demo).
  const tooShort = registerConfiguredSecrets(deps.config);
  if (tooShort.length > 0) {
    deps.logger.warn({ stage: 'run', secrets: tooShort }, `secrets shorter than ${MIN_SECRET_LENGTH} characters are not removed by value from reports and logs (only where their key is known)`);
  }
  const backfill = resolveBackfill(deps.config);
  const endEarly = (error: unknown) => publishEarlyEnd({ ...deps, logger: deps.logger.child({ runId }), runId, startedAt, finishedAt: now(), error });
  let store: StateStore;
  try {
    store = await openRunState(deps.config, deps.source, deps.logger, runId, startedAt);
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
      return await new Run(deps, store, runId, startedAt, now, backfill, lock).execute();
    } finally {
      try {
        lock.release();
      } catch (error) {
        // The run's outcome stands; the lock row is taken over as stale once this process is gone.
        deps.logger.warn({ runId, stage: 'state', error: (error as Error).message }, 'could not release the run lock');
      }
    }
  } finally {
    store.close();
  }
}

/** The state of one run while it executes; `execute` is the stage sequence. */
class Run {
  private readonly deps: SyncDeps;
  private readonly config: RunConfig;
  private readonly store: StateStore;
  private readonly runId: string;
  private readonly startedAt: Date;
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly snapshot: SnapshotStore;
  private readonly outbox: Outbox;
  private readonly committer: Committer;
  private readonly rejects: RejectsLog;
  private readonly inShard: ((contactId: string) => boolean) | undefined;
  private readonly timings = { drain: 0, ingest: 0, plan: 0, deliver: 0, total: 0 };
  private readonly failures: RunReport['failures'] = [];
  private readonly warnings: string[] = [];
  private failureCount = 0;
  private readonly failedByChange = { new: 0, changed: 0, deleted: 0 };
  private delivering: DeliveryProgress = { membersDone: 0, membersTotal: 0, eventsAccepted: 0, failed: 0 };
  private orphanRows = 0;
  private sender: OpenSender | undefined;
  private staging: StagingArea | undefined;
  private facts: Partial<Pick<RunFacts, 'pulled' | 'ingest' | 'plan' | 'drained' | 'delivered'>> = {};
  private readonly runs: RunsTable;
  private readonly telemetry: Telemetry;
  private readonly plannedSample: RunReport['plannedSample'] = {};
  private readonly backfill: Backfill | undefined;
  private readonly lock: RunLock;
  private readonly pruned: NonNullable<RunReport['pruned']> = { reportFolders: [], dropFolder: [], stateBackups: [] };
  private backedUp = false;

  constructor(deps: SyncDeps, store: StateStore, runId: string, startedAt: Date, now: () => Date, backfill: Backfill | undefined, lock: RunLock) {
    this.deps = deps;
    this.backfill = backfill;
    this.lock = lock;
    this.config = deps.config;
    this.store = store;
    this.runId = runId;
    this.startedAt = startedAt;
    this.now = now;
    this.logger = deps.logger.child({ runId });
    this.snapshot = snapshotStore(store.db);
    this.outbox = outboxStore(store.db);
    this.committer = createCommitter({ db: store.db, snapshot: this.snapshot, outbox: this.outbox, lock, runId, now });
    // The run's report folder is made when something is written there: a report folder that cannot be
    // made fails the report (REPORT_WRITE_FAILED), not the sync.
    this.rejects = createRejectsLog(join(this.config.reportDir, runId, 'rejects.csv'));
    this.inShard = shardFilter(this.config.shard);
    this.runs = runsTable(store.db);
    this.telemetry = createTelemetry(startedAt.getTime());
    // A stop signal stops new work at once; requests in flight get a grace period, then are abandoned.
    deps.signal?.addEventListener('abort', () => {
      setTimeout(() => void this.sender?.destroy(), this.config.gracePeriodSeconds * 1000).unref();
    }, { once: true });
  }

  async execute(): Promise<SyncResult> {
    const runs = this.runs;
    let started = false;
    let status: RunStatus = 'succeeded';
    let error: RunReport['error'];
    try {
      runs.start(this.runId, this.startedAt.toISOString());
      started = true;
      status = await this.stages();
    } catch (caught) {
      const known = this.knownError(caught, 'failed during the run');
      status = known instanceof GuardError ? 'refused' : 'failed';
      if (known instanceof GuardError) this.warnings.push(...known.details);
      error = reportedError(known);
      logRunError(this.logger, known);
    }
    this.staging?.remove();
    this.deps.progress?.stop();
    try {
      this.committer.flush();
    } catch (caught) {
      status = 'failed';
      const known = knownStateError(caught, this.store.path, 'could not commit delivered members');
      error ??= known ? reportedError(known) : { code: 'STATE_CORRUPT', message: `could not commit delivered members: ${(caught as Error).message}` };
    }
    await this.sender?.close();
    if (this.deps.signal?.aborted && status !== 'refused') {
      status = 'failed';
      error ??= { code: 'RUN_INTERRUPTED', message: 'run interrupted by a signal; accepted events were committed, the rest is resumed by the next run' };
    }
    // A run that lost its lock owns nothing any more: the state file, the export and latest.json belong
    // to the run that took over. It only leaves its own report behind.
    const ownsTheRun = error?.code !== 'LOCK_LOST';
    const placements = ownsTheRun ? await this.putAwaySource(status, error) : [];
    const rejectsFile = await this.rejects.close(this.facts.ingest?.files.map((file) => file.name));
    if (!this.config.dryRun && ownsTheRun) {
      const { reportFolders, dropFolder, warnings } = await pruneExpired(this.config, this.deps.source, this.runId, this.now(), this.logger);
      this.pruned.reportFolders.push(...reportFolders);
      this.pruned.dropFolder.push(...dropFolder);
      this.warnings.push(...warnings);
    }
    let history: RunRecord[] = [];
    try {
      history = runs.recent(TREND_RUNS);
    } catch (caught) {
      this.warnings.push(`the trend of earlier runs is missing: ${(caught as Error).message}`);
    }
    this.timings.total = Math.round(this.now().getTime() - this.startedAt.getTime());
    const report = buildReport({
      ...this.facts,
      runId: this.runId,
      status,
      failOnRejects: this.config.failOnRejects,
      ...(error && { error }),
      startedAt: this.startedAt,
      finishedAt: this.now(),
      options: reportOptions(this.config),
      sourceDescription: this.deps.source.description,
      placements,
      orphanRows: this.orphanRows,
      failures: this.failures,
      failureCount: this.failureCount,
      failedByChange: this.failedByChange,
      rejects: { ...(rejectsFile && { file: 'rejects.csv' }), byReason: this.rejects.summary() },
      warnings: this.warnings,
      durationsMs: this.timings,
      delivery: this.telemetry.summary(),
      plannedSample: this.plannedSample,
      ...(!this.config.dryRun && { pruned: this.pruned }),
    });
    return publishReport(this.config, report, { history, ...(started && { runs }), logger: this.logger, runOfRecord: ownsTheRun, ...(this.facts.ingest && { columnsByKind: columnsByKind(this.facts.ingest) }) });
  }

  /** `caught` as a coded error when it is an expected one (a guard, the state file's trouble); else as is. */
  private knownError(caught: unknown, doing: string): unknown {
    return isSyncError(caught) ? caught : (knownStateError(caught, this.store.path, doing) ?? caught);
  }

  /** Once, before this run's first commit (drain, or the first plan written); a run that cannot back up commits nothing. */
  private backUpBeforeCommit(): void {
    if (this.backedUp || this.config.dryRun) return;
    // A run that lost its lock must not write or rotate the backups of the run that took over.
    this.lock.assertHeld();
    this.backedUp = true;
    this.pruned.stateBackups.push(...backUpState(this.store, this.config.stateBackups, this.runId, this.logger));
  }

  private async stages(): Promise<RunStatus> {
    const { config, outbox } = this;
    // A crashed or interrupted run left plans in the outbox: deliver them before planning afresh, so
    // tonight's plan starts from what the API really has.
    if (!config.dryRun && outbox.pendingMemberCount() > 0) {
      this.backUpBeforeCommit();
      this.logger.info({ stage: 'drain', members: outbox.pendingMemberCount() }, 'delivering what an earlier run left in the outbox');
      this.facts.drained = await this.timed('drain', () => this.deliver('drain'));
      // Planning over plans an interrupted drain left pending would lose track of what they sent.
      if (this.deps.signal?.aborted) return 'failed';
    }
    const pulled = await this.deps.source.pull({ db: this.store.db, logger: this.logger, dryRun: config.dryRun, onWarning: (warning) => this.warnings.push(warning) });
    if (!pulled) return 'skipped';
    this.facts.pulled = pulled;
    this.logger.info({ stage: 'ingest', export: pulled.id, files: pulled.files.map((file) => file.name) }, 'reading export');

    const area = (this.staging = createStagingArea(config.state, this.runId));
    const ingest = await this.timed('ingest', () =>
      ingestExport(pulled.files, area, {
        config,
        onReject: (reject) => this.rejects.add(reject),
        ...(config.shard && { filter: { shard: config.shard } }),
        lanes: config.ingestThreads,
        // A column the last successful run had must still be there, unless clearing is allowed tonight.
        ...(!config.allowMassClear && { previousColumns: this.runs.lastColumnsByKind() ?? {} }),
        ...(this.deps.progress && { onProgress: (progress: IngestProgress) => this.deps.progress!.ingest(progress) }),
      }),
    );
    const staging = area.reader();
    this.facts.ingest = ingest;
    this.warnings.push(...ingest.warnings);
    // Item rows whose member is not in the members file are found (and rejected) while planning: the
    // run's total of rejected rows is in 'plan ready' and 'run finished', as in the report.
    this.logger.info({ stage: 'ingest', rows: ingest.rowsRead, rejectedWhileReading: ingest.rowsRejected }, 'export read');
    refuseEmptyFiles(ingest, config.allowMassDelete);
    refuseTruncatedFiles(ingest, this.runs.lastRowsByKind(), config.minRowsPercent, config.allowMassDelete);

    const epoch = eventIdEpoch(this.store.db);
    const plan = await this.timed('plan', () =>
      planToOutbox(staging, ingest, {
        config,
        db: this.store.db,
        snapshot: this.snapshot,
        outbox: this.outbox,
        lock: this.lock,
        runId: this.runId,
        now: this.now,
        timestamp: formatUtc(pulled.asOf.getTime()),
        ...(epoch && { epoch }),
        ...(this.inShard && { inShard: this.inShard }),
        ...(this.backfill && { backfill: this.backfill }),
        sample: this.plannedSample,
        beforeFirstPlan: () => this.backUpBeforeCommit(),
        onOrphanRow: (reject) => {
          this.orphanRows++;
          this.rejects.add(reject);
        },
      }),
    );
    this.facts.plan = plan;
    this.warnings.push(...plan.warnings);
    this.logger.info({ stage: 'plan', members: plan.members, events: plan.events.planned, rowsRejected: ingest.rowsRejected + this.orphanRows }, 'plan ready');
    if (config.dryRun) return 'dry-run';
    this.facts.delivered = await this.timed('deliver', () => this.deliver('deliver'));
    const pruned = this.outbox.prune(new Date(this.startedAt.getTime() - config.historyDays * 86_400_000).toISOString());
    if (pruned > 0) this.logger.info({ stage: 'deliver', pruned }, 'pruned old events from the outbox');
    return this.failureCount > 0 ? 'partial' : 'succeeded';
  }

  /** `drain`: plans an earlier run left; `deliver`: tonight's plan. */
  private async deliver(phase: 'drain' | 'deliver'): Promise<DeliveryTotals> {
    this.delivering = { membersDone: 0, membersTotal: this.outbox.pendingMemberCount(), eventsAccepted: 0, failed: 0 };
    // Loaded on first use: the HTTP client weighs ~30 MB that a dry run, ingest and planning never need.
    const { openSender } = await import('./deliver/open-sender.ts');
    this.sender ??= openSender(this.config, {
      startedAt: this.startedAt,
      logger: this.logger,
      telemetry: this.telemetry,
      checkBeforeSend: () => this.lock.assertHeld(),
      ...(this.deps.signal && { signal: this.deps.signal }),
    });
    try {
      return await deliverPending({
        outbox: this.outbox,
        send: this.sender.send,
        concurrency: this.config.concurrency,
        maxFailuresInARow: this.config.maxFailuresInARow,
        onMemberDone: (outcome) => this.memberDone(outcome, phase),
        ...(this.deps.signal && { signal: this.deps.signal }),
      });
    } finally {
      this.committer.flush();
    }
  }

  private memberDone(outcome: MemberOutcome, phase: 'drain' | 'deliver'): void {
    this.committer.add(outcome);
    this.delivering.membersDone++;
    this.delivering.eventsAccepted += outcome.acceptedNow.length;
    if (outcome.failure) this.delivering.failed++;
    this.deps.progress?.deliver(this.delivering);
    if (!outcome.failure) return;
    this.failureCount++;
    // A failed member of an earlier run's plan is planned again tonight and counted there.
    if (phase === 'deliver') this.failedByChange[plannedChangeOf(outcome)]++;
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push({ contactId: outcome.contactId, ...outcome.failure });
    this.logger.warn({ stage: 'deliver', contactId: outcome.contactId, ...outcome.failure }, 'member not delivered');
  }

  private async putAwaySource(status: RunStatus, error: RunReport['error']): Promise<FilePlacement[]> {
    const pulled = this.facts.pulled;
    if (!pulled) return [];
    try {
      return await this.deps.source.putAway(pulled, outcomeForSource(status, error?.code), error?.message);
    } catch (caught) {
      this.warnings.push(`could not archive the export: ${(caught as Error).message}`);
      return [];
    }
  }

  private async timed<T>(stage: 'drain' | 'ingest' | 'plan' | 'deliver', work: () => Promise<T> | T): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.timings[stage] += Math.round(performance.now() - start);
    }
  }
}

/** What tonight's plan did with a member whose delivery failed: its first event tells (plan-member.ts). */
function plannedChangeOf(outcome: MemberOutcome): 'new' | 'changed' | 'deleted' {
  const first = outcome.acceptedNow[0]?.action ?? outcome.failure?.action;
  return first === 'benefits.member.registered' ? 'new' : first === 'benefits.member.deleted' ? 'deleted' : 'changed';
}

function columnsByKind(ingest: IngestResult): ColumnsByKind {
  const columns: ColumnsByKind = {};
  for (const file of ingest.files) if (file.columns) columns[file.kind] = file.columns;
  return columns;
}
