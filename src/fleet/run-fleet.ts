// One fleet run (README "Partner mode"): every merchant of this partition synced by the same function as
// `run` (src/sync.ts), at most `merchantConcurrency` at once, each with its own state file, lock, guards,
// source and report folder. What they share: one cap on requests in flight and one token per set of
// credentials (src/deliver/shared-delivery.ts). A merchant's failure, whatever it is (a broken export, a
// guard, its credentials, a bug), is its row in the fleet report, never the others' end.
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { RunReport } from '../base/report-schema.ts';
import { newRunId } from '../base/run-id.ts';
import type { FleetConfig, FleetMerchant } from '../config/load-fleet.ts';
import { FLEET_REPORT_FOLDER } from '../config/fleet-schema.ts';
import { createSharedDelivery, type SharedDelivery } from '../deliver/shared-delivery.ts';
import { SyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { buildFleetReport, fleetRunFolder, merchantRowOf, type MerchantEnd, type WrittenFleetReport, writeFleetReport } from '../report/fleet-report.ts';
import { openSource } from '../sources/open-source.ts';
import type { Source } from '../sources/source.ts';
import { runSync } from '../sync.ts';

export interface FleetDeps {
  fleet: FleetConfig;
  logger: Logger;
  /** Stops every merchant: runs going finish as `run` does on SIGTERM; merchants not started are not. */
  signal?: AbortSignal;
  now?: () => Date;
}

export async function runFleet(deps: FleetDeps): Promise<WrittenFleetReport> {
  const { fleet } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const fleetRunId = newRunId(startedAt);
  const fleetReportDir = join(fleet.reportDir, FLEET_REPORT_FOLDER);
  const logger = deps.logger.child({ fleetRunId });
  const shared = createSharedDelivery({ maxRequestsInFlight: fleet.maxRequestsInFlight });
  const merchantsAtOnce = pLimit(fleet.merchantConcurrency);
  logger.info({ stage: 'fleet', merchants: fleet.merchants.length, merchantsInFile: fleet.merchantsInFile, partition: fleet.partition }, 'fleet run started');
  const ends = await Promise.all(fleet.merchants.map((merchant) => merchantsAtOnce(() => syncMerchant(merchant, { ...deps, logger, now, shared }))));

  const runs = new Map<string, { report: RunReport; reportDir: string }>();
  for (const end of ends) if ('report' in end) runs.set(end.id, { report: end.report, reportDir: fleet.merchants.find((merchant) => merchant.id === end.id)!.config!.reportDir });
  const folder = fleetRunFolder(fleetReportDir, fleetRunId);
  const report = buildFleetReport({
    fleetRunId,
    startedAt,
    finishedAt: now(),
    ...(fleet.partition && { partition: fleet.partition }),
    merchantsInFile: fleet.merchantsInFile,
    merchantConcurrency: fleet.merchantConcurrency,
    maxRequestsInFlight: fleet.maxRequestsInFlight,
    rows: ends.map((end) => merchantRowOf(end, folder)),
  });
  const timeZone = fleet.merchants.find((merchant) => merchant.config)?.config?.timeZone ?? 'UTC';
  const metricsJob = fleet.merchants.find((merchant) => merchant.config)?.config?.metricsJob ?? 'loyalty-sync';
  const written = writeFleetReport(report, { fleetReportDir, timeZone, metricsJob, runs });
  logger.info({ stage: 'fleet', status: written.report.status, exitCode: written.report.exitCode, merchants: written.report.merchants, report: written.jsonPath }, 'fleet run finished');
  return written;
}

interface MerchantDeps extends FleetDeps {
  now: () => Date;
  shared: SharedDelivery;
}

/** One merchant's sync, whatever happens in it, as its end: its run's report, or the error that stopped it first. */
async function syncMerchant(merchant: FleetMerchant, deps: MerchantDeps): Promise<MerchantEnd> {
  const { id, merchantSerialNumber, config } = merchant;
  const started = Date.now();
  const logger = deps.logger.child({ merchant: id }, merchant.logLevel ? { level: merchant.logLevel } : {});
  const ended = (error: unknown): MerchantEnd => {
    logger.error({ stage: 'fleet', code: (error as { code?: unknown })?.code ?? 'INTERNAL', error: (error as Error)?.message ?? String(error) }, 'merchant did not sync');
    return { id, merchantSerialNumber, error, durationMs: Date.now() - started };
  };
  if (!config) return ended(merchant.error);
  if (deps.signal?.aborted) return ended(new SyncError('RUN_INTERRUPTED', 'the fleet was stopped (SIGTERM or SIGINT) before this merchant started; the next fleet run syncs it'));
  let source: Source | undefined;
  try {
    source = openSource(config.source, config);
    const { report, reportPath } = await runSync({ config, source, logger, now: deps.now, shared: deps.shared, fleetMerchant: merchantSerialNumber, ...(deps.signal && { signal: deps.signal }) });
    return { id, merchantSerialNumber, report, reportPath };
  } catch (error) {
    return ended(error);
  } finally {
    await source?.close().catch((error: unknown) => logger.warn({ stage: 'fleet', error: (error as Error).message }, 'could not close the source'));
  }
}
