// What every stage of one run works with, made once the run holds its lock: the caller's deps, the state
// file's tables, the rejects file, and the API sender (opened on first use). Read-only: the stages return
// their facts (stage-facts.ts) instead of writing them here.
import { join } from 'node:path';
import type { Backfill } from '../config/backfill.ts';
import type { RunConfig } from '../config/schema.ts';
import type { OpenSender } from '../deliver/open-sender.ts';
import type { SharedDelivery } from '../deliver/shared-delivery.ts';
import { createTelemetry, type Telemetry } from '../deliver/telemetry.ts';
import type { Logger } from '../log.ts';
import type { Progress } from '../report/progress.ts';
import { createRejectsLog, type RejectsLog } from '../report/rejects.ts';
import type { Source } from '../sources/source.ts';
import { createCommitter, type Committer } from '../state/commit.ts';
import { outboxStore, type Outbox } from '../state/outbox.ts';
import type { RunLock } from '../state/run-lock.ts';
import { runsTable, type RunsTable } from '../state/runs.ts';
import { snapshotStore, type SnapshotStore } from '../state/snapshot.ts';
import type { StateStore } from '../state/store.ts';

export interface RunDeps {
  config: RunConfig;
  source: Source;
  /** Already carries the run's id. */
  logger: Logger;
  signal?: AbortSignal;
  progress?: Progress;
  now: () => Date;
  runId: string;
  startedAt: Date;
  store: StateStore;
  lock: RunLock;
  backfill?: Backfill;
  /** In a fleet: what the merchants share when they send (src/deliver/shared-delivery.ts). */
  shared?: SharedDelivery;
}

export interface RunContext extends Readonly<RunDeps> {
  readonly runs: RunsTable;
  readonly snapshot: SnapshotStore;
  readonly outbox: Outbox;
  readonly committer: Committer;
  readonly rejects: RejectsLog;
  readonly telemetry: Telemetry;
  readonly sender: RunSender;
}

export function runContext(deps: RunDeps): RunContext {
  const { store, lock, runId, now, config } = deps;
  const snapshot = snapshotStore(store.db);
  const outbox = outboxStore(store.db);
  const telemetry = createTelemetry(deps.startedAt.getTime());
  return {
    ...deps,
    runs: runsTable(store.db),
    snapshot,
    outbox,
    committer: createCommitter({ db: store.db, snapshot, outbox, lock, now }),
    // The run's report folder is made when something is written there: a report folder that cannot be
    // made fails the report (REPORT_WRITE_FAILED), not the sync.
    rejects: createRejectsLog(join(config.reportDir, runId, 'rejects.csv')),
    telemetry,
    sender: runSender(deps, telemetry),
  };
}

/** The run's one sender (connection pool, token cache, retry policy): opened by the first delivery, closed by the finish. */
export interface RunSender {
  open(): Promise<OpenSender>;
  /** Also forgets the caller's signal: a process that runs job after job (`schedule`) keeps no run alive. Idempotent. */
  close(): Promise<void>;
}

function runSender(deps: RunDeps, telemetry: Telemetry): RunSender {
  const { config, signal } = deps;
  let sender: OpenSender | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  // A stop signal stops new work at once; requests in flight get a grace period, then are abandoned.
  const onAbort = () => {
    graceTimer = setTimeout(() => void sender?.destroy(), config.gracePeriodSeconds * 1000).unref();
  };
  return {
    async open() {
      if (sender) return sender;
      // Loaded on first use: the HTTP client weighs ~30 MB that a dry run, ingest and planning never need.
      const { openSender } = await import('../deliver/open-sender.ts');
      sender ??= openSender(config, {
        startedAt: deps.startedAt,
        logger: deps.logger,
        telemetry,
        checkBeforeSend: () => deps.lock.assertHeld(),
        ...(deps.shared && { shared: deps.shared }),
        ...(signal && { signal }),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      return sender;
    },
    async close() {
      try {
        await sender?.close();
      } finally {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(graceTimer);
        sender = undefined;
      }
    },
  };
}
