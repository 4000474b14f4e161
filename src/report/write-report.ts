// Writes <report-dir>/<runId>/report.json, report.html and metrics.prom, and updates
// <report-dir>/latest.json and <report-dir>/metrics.prom (the one file node_exporter's textfile collector
// reads). Each file is written to a temporary name and renamed: a reader never sees half a file.
// What is written is the report with every string redacted (src/privacy/): no secret an API echoed and
// no full phone number reaches a file, and the caller gets that report back for everything it shows.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactStrings } from '../privacy/redact.ts';
import type { RunRecord } from '../state/runs.ts';
import { METRICS_FILE, renderMetrics } from './metrics.ts';
import { renderReportHtml } from './report-html.ts';
import type { RunReport } from '../base/report-schema.ts';

function runReportDir(reportDir: string, runId: string): string {
  const folder = join(reportDir, runId);
  mkdirSync(folder, { recursive: true });
  return folder;
}

export interface ReportContext {
  /** Earlier runs from the state file, for the trend. */
  history: readonly RunRecord[];
  timeZone: string;
  metricsJob: string;
  lastSuccessAt?: Date;
  /**
   * False for a run that lost its lock to another run: its report stays in its own folder, and
   * latest.json and metrics.prom keep telling about the run that holds the lock.
   */
  runOfRecord?: boolean;
}

export interface WrittenReport {
  /** The report as written: the one to show, store or send on. */
  report: RunReport;
  reportPath: string;
  metrics: string;
}

export function writeReport(reportDir: string, unredacted: RunReport, context: ReportContext): WrittenReport {
  const report = redactStrings(unredacted);
  const folder = runReportDir(reportDir, report.runId);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const reportPath = join(folder, 'report.json');
  const metrics = renderMetrics(report, { job: context.metricsJob, ...(context.lastSuccessAt && { lastSuccessAt: context.lastSuccessAt }) });
  writeAtomically(reportPath, json);
  writeAtomically(join(folder, 'report.html'), renderReportHtml(report, context.history, { timeZone: context.timeZone }));
  writeAtomically(join(folder, METRICS_FILE), metrics);
  if (context.runOfRecord === false) return { report, reportPath, metrics };
  writeAtomically(join(reportDir, 'latest.json'), json);
  // Each shard writes its own metrics file, so that shards pointed at one report folder do not overwrite
  // each other's for the collector.
  const shard = report.options.shard?.replace('/', '-of-');
  writeAtomically(join(reportDir, shard ? `metrics-${shard}.prom` : METRICS_FILE), metrics);
  return { report, reportPath, metrics };
}

/** The temporary name does not end in .prom or .json: collectors and readers never pick it up. */
export function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
