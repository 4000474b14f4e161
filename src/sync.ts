// One run, wiring the stages: drain → pull → ingest → plan (outbox) → deliver → commit → report.
// Whatever happens, the run ends with a report; the snapshot only ever holds what the API accepted.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Action } from './api/events.ts';
import { openApiConnection, type ApiConnection } from './api/http.ts';
import { systemHeaders } from './api/system-headers.ts';
import { createTokenCache } from './api/token-cache.ts';
import type { RunConfig } from './config/schema.ts';
import { deliverPending, type DeliveryTotals, type MemberOutcome } from './deliver/deliver.ts';
import { createEventSender, type EventSender } from './deliver/send-event.ts';
import { ConfigError, GuardError, isSyncError } from './errors.ts';
import { ingestExport, type IngestResult } from './ingest/ingest-export.ts';
import { ITEM_KINDS } from './ingest/kinds.ts';
import { formatUtc } from './ingest/values.ts';
import type { Logger } from './log.ts';
import { mergeByContact } from './plan/merge.ts';
import { planRun, type PlanTotals } from './plan/plan-run.ts';
import { shardFilter } from './plan/shard.ts';
import { createRejectsLog } from './report/rejects.ts';
import type { RunReport, RunStatus } from './report/report-schema.ts';
import { runReportDir, writeReport } from './report/write-report.ts';
import type { PulledExport, SettledFile, Source } from './sources/source.ts';
import { createCommitter } from './state/commit.ts';
import { outboxStore } from './state/outbox.ts';
import { runsTable } from './state/runs.ts';
import { snapshotStore } from './state/snapshot.ts';
import { openStaging, type Staging } from './state/staging.ts';
import { inTransaction, openStateStore } from './state/store.ts';

export interface SyncDeps {
  config: RunConfig;
  source: Source;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface SyncResult {
  report: RunReport;
  reportPath: string;
}

const MAX_LISTED_FAILURES = 1000;

export const EXIT_CODE_OF_STATUS: Record<RunStatus, number> = { succeeded: 0, skipped: 0, 'dry-run': 0, partial: 3, failed: 1, refused: 4 };

export async function runSync(deps: SyncDeps): Promise<SyncResult> {
  const { config, source } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = `${formatUtc(startedAt.getTime()).replace(/[-:]/g, '').replace(/Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const logger = deps.logger.child({ runId });
  if (!config.dryRun && !config.credentials) {
    throw new ConfigError('API credentials are missing: set VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY and VIPPS_MERCHANT_SERIAL_NUMBER (or "credentials" in the config file), or use --dry-run');
  }

  const store = openStateStore(config.state);
  const runs = runsTable(store.db);
  const snapshot = snapshotStore(store.db);
  const outbox = outboxStore(store.db);
  runs.start(runId, startedAt.toISOString());
  const reportFolder = runReportDir(config.reportDir, runId);
  const rejects = createRejectsLog(join(reportFolder, 'rejects.csv'));
  const committer = createCommitter({ db: store.db, snapshot, outbox, runId, now });
  const inShard = shardFilter(config.shard);

  const timings = { drain: 0, ingest: 0, plan: 0, deliver: 0, total: 0 };
  const timed = async <T>(stage: keyof typeof timings, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[stage] += Math.round(performance.now() - start);
    }
  };

  const failures: RunReport['failures'] = [];
  let failureCount = 0;
  const settle = (outcome: MemberOutcome) => {
    committer.add(outcome);
    if (!outcome.failure) return;
    failureCount++;
    if (failures.length < MAX_LISTED_FAILURES) failures.push({ contactId: outcome.contactId, ...outcome.failure });
    logger.warn({ stage: 'deliver', contactId: outcome.contactId, ...outcome.failure }, 'member not delivered');
  };

  let connection: ApiConnection | undefined;
  let sender: EventSender | undefined;
  const deliver = async (): Promise<DeliveryTotals> => {
    if (!sender) {
      connection = openApiConnection({
        apiUrl: config.apiUrl,
        credentials: config.credentials!,
        system: systemHeaders({ name: config.pluginName, version: config.pluginVersion }),
        connections: config.concurrency,
        requestTimeoutMs: config.requestTimeoutMs,
      });
      sender = createEventSender({
        post: connection.postEvent,
        tokens: createTokenCache(connection.fetchToken),
        policy: {
          maxAttempts: config.maxAttempts,
          baseDelayMs: config.retryBaseDelayMs,
          maxDelayMs: config.retryMaxDelayMs,
          ...(config.deadlineMinutes && { deadline: startedAt.getTime() + config.deadlineMinutes * 60_000 }),
        },
        signal: deps.signal,
        onRetry: (info) => logger.debug({ stage: 'deliver', ...info }, 'retrying'),
      });
    }
    try {
      return await deliverPending({ outbox, send: sender, concurrency: config.concurrency, settle, signal: deps.signal });
    } finally {
      committer.flush();
    }
  };

  let status: RunStatus = 'succeeded';
  let error: RunReport['error'];
  let pulled: PulledExport | undefined;
  let ingest: IngestResult | undefined;
  let plan: PlanTotals | undefined;
  let drained: DeliveryTotals | undefined;
  let delivered: DeliveryTotals | undefined;
  let staging: Staging | undefined;
  const warnings: string[] = [];
  let orphanRows = 0;

  try {
    // A crashed or interrupted run left plans in the outbox: deliver them before planning afresh, so
    // tonight's plan starts from what the API really has.
    if (!config.dryRun && outbox.pendingMemberCount() > 0) {
      logger.info({ stage: 'drain', members: outbox.pendingMemberCount() }, 'delivering what an earlier run left in the outbox');
      drained = await timed('drain', deliver);
    }
    pulled = await source.pull({ db: store.db, logger });
    if (!pulled) {
      status = 'skipped';
    } else {
      const exportFiles = pulled;
      logger.info({ stage: 'ingest', export: exportFiles.id, files: exportFiles.files.map((file) => file.name) }, 'reading export');
      staging = openStaging(config.state, runId);
      const openedStaging = staging;
      ingest = await timed('ingest', () =>
        ingestExport(exportFiles.files, openedStaging, {
          config,
          onReject: (reject) => rejects.add(reject),
          ...(inShard && { inShard }),
        }),
      );
      staging.seal();
      warnings.push(...ingest.warnings);
      logger.info({ stage: 'ingest', rows: ingest.rowsRead, rejected: ingest.rowsRejected }, 'export read');
      refuseEmptyFiles(ingest, config.allowMassDelete);

      plan = await timed('plan', () => {
        const merged = mergeByContact({
          snapshot: filterShard(snapshot.scan(), inShard),
          members: openedStaging.members(),
          items: Object.fromEntries(ITEM_KINDS.map((kind) => [kind, openedStaging.items(kind)])) as Parameters<typeof mergeByContact>[0]['items'],
          rejected: openedStaging.rejectedContacts(),
          trustedKinds: ingest!.trustedKinds,
        });
        const planOnce = () => {
          if (!config.dryRun) outbox.clearFailedPlans();
          const totals = planRun(merged, {
            full: config.full,
            timestamp: formatUtc(exportFiles.asOf.getTime()),
            deletesAllowed: ingest!.membersComplete,
            onPlan: (memberPlan) => {
              if (!config.dryRun) outbox.addPlan(memberPlan.contactId, memberPlan.events, runId, now().toISOString());
            },
            onOrphan: (item) => {
              orphanRows++;
              rejects.add({ file: item.file, line: item.line, column: 'contact_id', reason: `contact_id "${item.contactId}" is not in the members export`, contactId: item.contactId });
            },
          });
          refuseMassDelete(totals, config.maxDeletePercent, config.allowMassDelete);
          return totals;
        };
        // Planning writes the whole outbox in one transaction: a guard that trips rolls all of it back.
        return config.dryRun ? planOnce() : inTransaction(store.db, planOnce);
      });
      logger.info({ stage: 'plan', members: plan.members, events: plan.events.planned }, 'plan ready');
      if (config.dryRun) status = 'dry-run';
      else delivered = await timed('deliver', deliver);
      if (failureCount > 0) status = 'partial';
    }
  } catch (caught) {
    status = caught instanceof GuardError ? 'refused' : 'failed';
    error = { code: isSyncError(caught) ? caught.code : 'INTERNAL', message: (caught as Error).message ?? String(caught) };
    logger.error({ stage: 'run', code: error.code, err: caught }, 'run did not complete');
  }

  staging?.close();
  try {
    committer.flush();
  } catch (caught) {
    status = 'failed';
    error ??= { code: 'STATE_CORRUPT', message: `could not commit delivered members: ${(caught as Error).message}` };
  }
  await connection?.close();
  if (deps.signal?.aborted && status !== 'failed' && status !== 'refused') {
    status = 'failed';
    error ??= { code: 'RUN_INTERRUPTED', message: 'run interrupted by a signal; accepted events were committed, the rest is resumed by the next run' };
  }
  let settled: SettledFile[] = [];
  if (pulled) {
    settled = await source.settle(pulled, status === 'skipped' ? 'succeeded' : status, error?.message).catch((caught: Error) => {
      warnings.push(`could not archive the export: ${caught.message}`);
      return [];
    });
  }
  const rejectsFile = await rejects.close();
  timings.total = Math.round(now().getTime() - startedAt.getTime());

  const movedTo = new Map(settled.map((file) => [file.name, file.movedTo]));
  const acceptedByAction: Partial<Record<Action, number>> = {};
  for (const totals of [drained, delivered]) {
    for (const [action, n] of Object.entries(totals?.acceptedByAction ?? {})) acceptedByAction[action as Action] = (acceptedByAction[action as Action] ?? 0) + n;
  }
  const report: RunReport = {
    runId,
    status,
    exitCode: EXIT_CODE_OF_STATUS[status],
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    options: { dryRun: config.dryRun, full: config.full, allowMassDelete: config.allowMassDelete, ...(config.shard && { shard: `${config.shard.index}/${config.shard.count}` }) },
    source: {
      description: source.description,
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
    members: {
      total: plan?.members.total ?? 0,
      new: plan?.members.new ?? 0,
      changed: plan?.members.changed ?? 0,
      unchanged: plan?.members.unchanged ?? 0,
      deleted: plan?.members.deleted ?? 0,
      failed: failureCount,
      untouched: plan?.members.untouched ?? 0,
    },
    rows: { read: ingest?.rowsRead ?? 0, rejected: (ingest?.rowsRejected ?? 0) + orphanRows },
    events: {
      planned: plan?.events.planned ?? 0,
      accepted: (drained?.eventsAccepted ?? 0) + (delivered?.eventsAccepted ?? 0),
      failed: (drained?.eventsFailed ?? 0) + (delivered?.eventsFailed ?? 0),
      retries: (drained?.retries ?? 0) + (delivered?.retries ?? 0),
      drained: drained?.eventsAccepted ?? 0,
      byAction: acceptedByAction,
      plannedByAction: plan?.events.byAction ?? {},
    },
    failures,
    failuresNotListed: failureCount - failures.length,
    rejects: { ...(rejectsFile && { file: 'rejects.csv' }), byReason: rejects.summary() },
    warnings,
    ...(error && { error }),
    durationsMs: timings,
  };
  const reportPath = writeReport(config.reportDir, report);
  runs.finish(report, reportPath);
  store.close();
  logger.info({ stage: 'report', status, reportPath }, 'run finished');
  return { report, reportPath };
}

function* filterShard<T extends { contactId: string }>(rows: Iterable<T>, inShard: ((contactId: string) => boolean) | undefined): Generator<T> {
  for (const row of rows) if (!inShard || inShard(row.contactId)) yield row;
}

function refuseEmptyFiles(ingest: IngestResult, allowed: boolean): void {
  if (allowed) return;
  for (const file of ingest.files) {
    if (file.kind === 'members' ? file.rows === 0 : file.bytes === 0) {
      throw new GuardError('GUARD_EMPTY_FILE', `${file.name} is empty; refusing a run that would treat every member as gone (override with --allow-mass-delete)`);
    }
  }
}

function refuseMassDelete(plan: PlanTotals, maxPercent: number, allowed: boolean): void {
  if (allowed || plan.members.deleted === 0) return;
  const percent = (plan.members.deleted / Math.max(plan.knownMembers, 1)) * 100;
  if (percent > maxPercent) {
    throw new GuardError(
      'GUARD_MASS_DELETE',
      `the export would delete ${plan.members.deleted} of ${plan.knownMembers} known members (${percent.toFixed(1)}% > ${maxPercent}%); nothing was sent (override with --allow-mass-delete)`,
    );
  }
}
