// One run, wiring the stages: drain → pull → ingest → plan (outbox) → deliver → commit → report.
// Whatever happens after the lock is taken, the run ends with a report; the snapshot only ever holds
// what the API accepted.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { resolveBackfill } from './config/backfill.ts';
import type { RunConfig } from './config/schema.ts';
import { deliverPending, type DeliveryTotals, type MemberOutcome } from './deliver/deliver.ts';
import type { OpenSender } from './deliver/open-sender.ts';
import { createTelemetry, type Telemetry } from './deliver/telemetry.ts';
import { ConfigError, GuardError, isSyncError } from './errors.ts';
import { ingestExport, type IngestProgress, type IngestResult } from './ingest/ingest-export.ts';
import { formatUtc } from './ingest/values.ts';
import type { Logger } from './log.ts';
import { planToOutbox } from './plan-stage.ts';
import { refuseEmptyFiles, refuseTruncatedFiles } from './plan/guards.ts';
import type { Backfill } from './plan/plan-run.ts';
import { shardFilter } from './plan/shard.ts';
import { announceRun } from './report/announce.ts';
import { buildReport, type RunFacts } from './report/build-report.ts';
import type { DeliveryProgress, Progress } from './report/progress.ts';
import { createRejectsLog, type RejectsLog } from './report/rejects.ts';
import type { RunReport, RunStatus } from './report/report-schema.ts';
import { lastSucceededAt } from './report/metrics.ts';
import { TREND_RUNS } from './report/run-trend.ts';
import { runReportDir, writeReport } from './report/write-report.ts';
import { outcomeForSource, type SettledFile, type Source } from './sources/source.ts';
import { createCommitter, type Committer } from './state/commit.ts';
import { outboxStore, type Outbox } from './state/outbox.ts';
import { acquireRunLock, type RunLock } from './state/run-lock.ts';
import { runsTable, type ColumnsByKind, type RunsTable } from './state/runs.ts';
import { snapshotStore, type SnapshotStore } from './state/snapshot.ts';
import { createStagingArea, type StagingArea } from './state/staging.ts';
import { openStateStore, type StateStore } from './state/store.ts';

export interface SyncDeps {
  config: RunConfig;
  source: Source;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
  progress?: Progress;
}

export interface SyncResult {
  report: RunReport;
  reportPath: string;
}

const MAX_LISTED_FAILURES = 1000;

export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = `${formatUtc(startedAt.getTime()).replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
  if (!deps.config.dryRun && !deps.config.credentials) {
    throw new ConfigError(
      'API credentials are missing: set VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY and VIPPS_MERCHANT_SERIAL_NUMBER (or "credentials" in the config file), or use --dry-run',
    );
  }
  const backfill = resolveBackfill(deps.config);
  const store = openStateStore(deps.config.state);
  try {
    const lock = acquireRunLock(store.db, { runId });
    try {
      return await new Run(deps, store, runId, startedAt, now, backfill, lock).execute();
    } finally {
      lock.release();
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
    this.committer = createCommitter({ db: store.db, snapshot: this.snapshot, outbox: this.outbox, runId, now });
    this.rejects = createRejectsLog(join(runReportDir(this.config.reportDir, runId), 'rejects.csv'));
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
    runs.start(this.runId, this.startedAt.toISOString());
    let status: RunStatus = 'succeeded';
    let error: RunReport['error'];
    try {
      status = await this.stages();
    } catch (caught) {
      status = caught instanceof GuardError ? 'refused' : 'failed';
      if (caught instanceof GuardError) this.warnings.push(...caught.details);
      error = { code: isSyncError(caught) ? caught.code : 'INTERNAL', message: (caught as Error).message ?? String(caught) };
      this.logger.error({ stage: 'run', code: error.code, err: caught }, 'run did not complete');
    }
    this.staging?.remove();
    this.deps.progress?.stop();
    try {
      this.committer.flush();
    } catch (caught) {
      status = 'failed';
      error ??= { code: 'STATE_CORRUPT', message: `could not commit delivered members: ${(caught as Error).message}` };
    }
    await this.sender?.close();
    if (this.deps.signal?.aborted && status !== 'refused') {
      status = 'failed';
      error ??= { code: 'RUN_INTERRUPTED', message: 'run interrupted by a signal; accepted events were committed, the rest is resumed by the next run' };
    }
    const settled = await this.settleSource(status, error);
    const rejectsFile = await this.rejects.close(this.facts.ingest?.files.map((file) => file.name));
    this.timings.total = Math.round(this.now().getTime() - this.startedAt.getTime());
    const report = buildReport({
      ...this.facts,
      runId: this.runId,
      status,
      ...(error && { error }),
      startedAt: this.startedAt,
      finishedAt: this.now(),
      options: {
        dryRun: this.config.dryRun,
        full: this.config.full,
        allowMassDelete: this.config.allowMassDelete,
        ...(this.config.shard && { shard: `${this.config.shard.index}/${this.config.shard.count}` }),
      },
      sourceDescription: this.deps.source.description,
      settled,
      orphanRows: this.orphanRows,
      failures: this.failures,
      failureCount: this.failureCount,
      rejects: { ...(rejectsFile && { file: 'rejects.csv' }), byReason: this.rejects.summary() },
      warnings: this.warnings,
      durationsMs: this.timings,
      delivery: this.telemetry.summary(),
      plannedSample: this.plannedSample,
    });
    const history = runs.recent(TREND_RUNS);
    const { reportPath, metrics } = writeReport(this.config.reportDir, report, {
      history,
      timeZone: this.config.timeZone,
      metricsJob: this.config.metricsJob,
      ...(lastSucceededAt(history) && { lastSuccessAt: lastSucceededAt(history) }),
    });
    runs.finish(report, reportPath, this.facts.ingest && columnsByKind(this.facts.ingest));
    this.logger.info({ stage: 'report', status, reportPath }, 'run finished');
    await announceRun(this.config, report, reportPath, metrics, this.logger);
    return { report, reportPath };
  }

  private async stages(): Promise<RunStatus> {
    const { config, outbox } = this;
    // A crashed or interrupted run left plans in the outbox: deliver them before planning afresh, so
    // tonight's plan starts from what the API really has.
    if (!config.dryRun && outbox.pendingMemberCount() > 0) {
      this.logger.info({ stage: 'drain', members: outbox.pendingMemberCount() }, 'delivering what an earlier run left in the outbox');
      this.facts.drained = await this.timed('drain', () => this.deliver());
    }
    const pulled = await this.deps.source.pull({ db: this.store.db, logger: this.logger, dryRun: config.dryRun });
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
    this.logger.info({ stage: 'ingest', rows: ingest.rowsRead, rejected: ingest.rowsRejected }, 'export read');
    refuseEmptyFiles(ingest, config.allowMassDelete);
    refuseTruncatedFiles(ingest, this.runs.lastRowsByKind(), config.minRowsPercent, config.allowMassDelete);

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
        ...(this.inShard && { inShard: this.inShard }),
        ...(this.backfill && { backfill: this.backfill }),
        sample: this.plannedSample,
        onOrphanRow: (reject) => {
          this.orphanRows++;
          this.rejects.add(reject);
        },
      }),
    );
    this.facts.plan = plan;
    this.warnings.push(...plan.warnings);
    this.logger.info({ stage: 'plan', members: plan.members, events: plan.events.planned }, 'plan ready');
    if (config.dryRun) return 'dry-run';
    this.facts.delivered = await this.timed('deliver', () => this.deliver());
    const pruned = this.outbox.prune(new Date(this.startedAt.getTime() - config.historyDays * 86_400_000).toISOString());
    if (pruned > 0) this.logger.info({ stage: 'deliver', pruned }, 'pruned old events from the outbox');
    return this.failureCount > 0 ? 'partial' : 'succeeded';
  }

  private async deliver(): Promise<DeliveryTotals> {
    this.delivering = { membersDone: 0, membersTotal: this.outbox.pendingMemberCount(), eventsAccepted: 0, failed: 0 };
    // Loaded on first use: the HTTP client weighs ~30 MB that a dry run, ingest and planning never need.
    const { openSender } = await import('./deliver/open-sender.ts');
    this.sender ??= openSender(this.config, {
      startedAt: this.startedAt,
      logger: this.logger,
      telemetry: this.telemetry,
      ...(this.deps.signal && { signal: this.deps.signal }),
    });
    try {
      return await deliverPending({
        outbox: this.outbox,
        send: this.sender.send,
        concurrency: this.config.concurrency,
        settle: (outcome) => this.settleMember(outcome),
        ...(this.deps.signal && { signal: this.deps.signal }),
      });
    } finally {
      this.committer.flush();
    }
  }

  private settleMember(outcome: MemberOutcome): void {
    this.committer.add(outcome);
    this.delivering.membersDone++;
    this.delivering.eventsAccepted += outcome.acceptedNow.length;
    if (outcome.failure) this.delivering.failed++;
    this.deps.progress?.deliver(this.delivering);
    if (!outcome.failure) return;
    this.failureCount++;
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push({ contactId: outcome.contactId, ...outcome.failure });
    this.logger.warn({ stage: 'deliver', contactId: outcome.contactId, ...outcome.failure }, 'member not delivered');
  }

  private async settleSource(status: RunStatus, error: RunReport['error']): Promise<SettledFile[]> {
    const pulled = this.facts.pulled;
    if (!pulled) return [];
    try {
      return await this.deps.source.settle(pulled, outcomeForSource(status, error?.code), error?.message);
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

function columnsByKind(ingest: IngestResult): ColumnsByKind {
  const columns: ColumnsByKind = {};
  for (const file of ingest.files) if (file.columns) columns[file.kind] = file.columns;
  return columns;
}
