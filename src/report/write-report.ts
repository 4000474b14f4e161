// Writes <report-dir>/<runId>/report.json + report.html and updates <report-dir>/latest.json. Each file
// is written to a temporary name and renamed, so a reader never sees half a report.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReportHtml } from './report-html.ts';
import type { RunReport } from './report-schema.ts';

export function runReportDir(reportDir: string, runId: string): string {
  const folder = join(reportDir, runId);
  mkdirSync(folder, { recursive: true });
  return folder;
}

export function writeReport(reportDir: string, report: RunReport): string {
  const folder = runReportDir(reportDir, report.runId);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const reportPath = join(folder, 'report.json');
  writeAtomically(reportPath, json);
  writeAtomically(join(folder, 'report.html'), renderReportHtml(report));
  writeAtomically(join(reportDir, 'latest.json'), json);
  return reportPath;
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
