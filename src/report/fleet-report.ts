// The fleet's report (README "Partner mode"): one row per merchant, worst first, written to
// <report-dir>/fleet/<fleetRunId>/ as fleet-report.json, fleet-report.html and metrics.prom (every
// merchant's run metrics with a `merchant` label, and the fleet's own), and <report-dir>/fleet/latest.json
// and metrics.prom for monitoring (a partition writes latest-<i>-of-<K>.json and metrics-<i>-of-<K>.prom,
// so partitions sharing a folder do not overwrite each other). Everything is redacted on the way out.
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { EXIT, exitCodeOf, exitSeverity, worstExitCode } from '../base/exit-codes.ts';
import type { FleetReport, MerchantRow } from '../base/fleet-report-schema.ts';
import { RUN_STATUSES, type RunReport, type RunStatus } from '../base/report-schema.ts';
import { isSyncError } from '../errors.ts';
import { redactStrings } from '../privacy/redact.ts';
import { renderFleetReportHtml } from './fleet-report-html.ts';
import { lastSuccessInMetrics, METRICS_FILE, renderFamilies, runMetricFamilies, type Family } from './metrics.ts';
import { writeAtomically } from './write-report.ts';

export const FLEET_REPORT_JSON = 'fleet-report.json';
export const FLEET_REPORT_HTML = 'fleet-report.html';

/** How one merchant's sync ended: with its run's report, or with an error before (or instead of) one. */
export type MerchantEnd =
  | { id: string; merchantSerialNumber: string; report: RunReport; reportPath: string }
  | { id: string; merchantSerialNumber: string; error: unknown; durationMs: number };

/** The fleet run's folder: `<reportDir>/fleet/<fleetRunId>/`. */
export const fleetRunFolder = (fleetReportDir: string, fleetRunId: string) => join(fleetReportDir, fleetRunId);

export function merchantRowOf(end: MerchantEnd, fleetFolder: string): MerchantRow {
  const named = { id: end.id, merchantSerialNumber: end.merchantSerialNumber };
  if ('error' in end) {
    const code = isSyncError(end.error) ? end.error.code : 'INTERNAL';
    const message = isSyncError(end.error) ? end.error.message : String((end.error as Error)?.stack ?? end.error);
    const exitCode = exitCodeOf(end.error);
    // Another run holds this merchant's lock: skipped tonight, not failed (exit 75: try later).
    const status: RunStatus = exitCode === EXIT.locked ? 'skipped' : 'failed';
    return { ...named, status, exitCode, error: { code, message }, membersChanged: 0, events: { planned: 0, accepted: 0, failed: 0 }, failures: 0, rejects: 0, durationMs: end.durationMs };
  }
  const { report } = end;
  const link = (name: string) => relative(fleetFolder, join(dirname(end.reportPath), name)).split(sep).join('/');
  return {
    ...named,
    status: report.status,
    exitCode: report.exitCode,
    runId: report.runId,
    ...(report.error && { error: report.error }),
    membersChanged: report.members.new + report.members.changed + report.members.deleted,
    events: { planned: report.events.planned + report.events.drained, accepted: report.events.accepted, failed: report.events.failed },
    failures: report.members.failed,
    rejects: report.rows.rejected,
    durationMs: report.durationsMs.total,
    report: { json: link('report.json'), html: link('report.html') },
  };
}

/** Worst first: by exit code (EXIT_SEVERITY), then status, then more failures, then id. */
export function worstFirst(rows: readonly MerchantRow[]): MerchantRow[] {
  const statusRank = (status: RunStatus) => ['failed', 'refused', 'partial', 'skipped', 'dry-run', 'succeeded'].indexOf(status);
  return [...rows].sort(
    (a, b) => exitSeverity(a.exitCode) - exitSeverity(b.exitCode) || statusRank(a.status) - statusRank(b.status) || b.failures - a.failures || b.rejects - a.rejects || a.id.localeCompare(b.id),
  );
}

export interface FleetFacts {
  fleetRunId: string;
  startedAt: Date;
  finishedAt: Date;
  partition?: { index: number; count: number };
  merchantsInFile: number;
  merchantConcurrency: number;
  maxRequestsInFlight: number;
  rows: readonly MerchantRow[];
}

export function buildFleetReport(facts: FleetFacts): FleetReport {
  const rows = worstFirst(facts.rows);
  const byStatus: FleetReport['merchants']['byStatus'] = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  const sum = (of: (row: MerchantRow) => number) => rows.reduce((total, row) => total + of(row), 0);
  return {
    fleetRunId: facts.fleetRunId,
    status: rows[0]?.status ?? 'skipped',
    exitCode: worstExitCode(rows.map((row) => row.exitCode)),
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    durationMs: Math.max(0, facts.finishedAt.getTime() - facts.startedAt.getTime()),
    ...(facts.partition && { partition: `${facts.partition.index}/${facts.partition.count}` }),
    merchantsInFile: facts.merchantsInFile,
    merchantConcurrency: facts.merchantConcurrency,
    maxRequestsInFlight: facts.maxRequestsInFlight,
    merchants: { total: rows.length, byStatus },
    totals: {
      membersChanged: sum((row) => row.membersChanged),
      eventsAccepted: sum((row) => row.events.accepted),
      eventsFailed: sum((row) => row.events.failed),
      failures: sum((row) => row.failures),
      rejects: sum((row) => row.rejects),
    },
    rows,
  };
}

export interface WrittenFleetReport {
  report: FleetReport;
  jsonPath: string;
  htmlPath: string;
}

export interface FleetReportContext {
  /** `<reportDir>/fleet`. */
  fleetReportDir: string;
  timeZone: string;
  metricsJob: string;
  /** Each merchant's run report, by id, and its report folder (for the last success its metrics kept). */
  runs: ReadonlyMap<string, { report: RunReport; reportDir: string }>;
}

export function writeFleetReport(unredacted: FleetReport, context: FleetReportContext): WrittenFleetReport {
  const report = redactStrings(unredacted);
  const folder = fleetRunFolder(context.fleetReportDir, report.fleetRunId);
  mkdirSync(folder, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const metrics = renderFleetMetrics(report, context);
  const jsonPath = join(folder, FLEET_REPORT_JSON);
  const htmlPath = join(folder, FLEET_REPORT_HTML);
  writeAtomically(jsonPath, json);
  writeAtomically(htmlPath, renderFleetReportHtml(report, { timeZone: context.timeZone }));
  writeAtomically(join(folder, METRICS_FILE), metrics);
  const partition = report.partition?.replace('/', '-of-');
  writeAtomically(join(context.fleetReportDir, partition ? `latest-${partition}.json` : 'latest.json'), json);
  writeAtomically(join(context.fleetReportDir, partition ? `metrics-${partition}.prom` : METRICS_FILE), metrics);
  return { report, jsonPath, htmlPath };
}

/** Every merchant's run metrics (label `merchant`), then each merchant's status and exit code and the fleet's, also for merchants without a run. */
function renderFleetMetrics(report: FleetReport, context: FleetReportContext): string {
  const families = new Map<string, Family>();
  for (const row of report.rows) {
    const run = context.runs.get(row.id);
    if (!run) continue;
    const lastSuccessAt = lastSuccessInMetrics(run.reportDir);
    for (const family of runMetricFamilies(run.report, lastSuccessAt ? { lastSuccessAt } : {})) {
      const merged = families.get(family.name) ?? { ...family, samples: [] };
      merged.samples.push(...family.samples.map((sample) => ({ ...sample, labels: { merchant: row.id, ...sample.labels } })));
      families.set(family.name, merged);
    }
  }
  const fleet: Family[] = [
    {
      name: 'loyalty_sync_merchant_status',
      help: "Each merchant's status in the last fleet run: 1 for the status it had, 0 for the others.",
      samples: report.rows.flatMap((row) => RUN_STATUSES.map((status) => ({ labels: { merchant: row.id, status }, value: status === row.status ? 1 : 0 }))),
    },
    { name: 'loyalty_sync_merchant_exit_code', help: "Each merchant's exit code in the last fleet run.", samples: report.rows.map((row) => ({ labels: { merchant: row.id }, value: row.exitCode })) },
    { name: 'loyalty_sync_fleet_exit_code', help: "The last fleet run's exit code: its worst merchant's.", samples: [{ value: report.exitCode }] },
    { name: 'loyalty_sync_fleet_duration_seconds', help: 'How long the last fleet run took.', samples: [{ value: report.durationMs / 1000 }] },
    { name: 'loyalty_sync_fleet_last_run_timestamp_seconds', help: 'When the last fleet run finished (Unix time).', samples: [{ value: Date.parse(report.finishedAt) / 1000 }] },
    {
      name: 'loyalty_sync_fleet_merchants',
      help: 'Merchants in the last fleet run by status.',
      samples: RUN_STATUSES.map((status) => ({ labels: { status }, value: report.merchants.byStatus[status] ?? 0 })),
    },
  ];
  return renderFamilies([...families.values(), ...fleet], { sync_job: context.metricsJob, ...(report.partition && { partition: report.partition }) });
}

/** The one line a person reads on stdout after a fleet run. */
export function fleetSummaryLine(report: FleetReport, htmlPath: string): string {
  const { merchants, totals } = report;
  const statuses = RUN_STATUSES.filter((status) => merchants.byStatus[status]).map((status) => `${merchants.byStatus[status]} ${status}`);
  const failing = report.rows
    .filter((row) => exitSeverity(row.exitCode) < exitSeverity(EXIT.ok))
    .map((row) => `${row.id}: ${row.error?.code ?? row.status}`);
  return [
    `loyalty-sync fleet ${report.fleetRunId}${report.partition ? ` (partition ${report.partition})` : ''}: ${merchants.total} merchant${merchants.total === 1 ? '' : 's'}${statuses.length > 0 ? `, ${statuses.join(', ')}` : ''}${failing.length > 0 ? ` (${failing.join(', ')})` : ''}`,
    `${totals.membersChanged} members changed`,
    `${totals.eventsAccepted} events accepted, ${totals.eventsFailed} failed`,
    `${totals.rejects} rows rejected`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
    `exit ${report.exitCode}`,
    `report ${htmlPath}`,
  ].join(' · ');
}
