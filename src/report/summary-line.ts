import { dirname, join } from 'node:path';
import { ACTIONS, shortAction } from '../base/actions.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { RunReport } from '../base/report-schema.ts';
import { describeEstimate } from './send-estimate.ts';

/** Counts per action in the API's action order. */
const inActionOrder = (counts: Partial<Record<string, number>>) =>
  ACTIONS.filter((action) => counts[action] !== undefined).map((action) => [action, counts[action]!] as const);

/** "65 members (5 new, 13 changed, 40 unchanged, 3 deleted, 0 failed, 4 untouched)": the parts add up to the total. */
export function memberCounts(members: RunReport['members']): string {
  return `${members.total} members (${members.new} new, ${members.changed} changed, ${members.unchanged} unchanged, ${members.deleted} deleted, ${members.failed} failed, ${members.untouched} untouched)`;
}

/** "31/31 events accepted, 0 failed" (events an interrupted run left count as planned too), or "149 events planned, none sent". */
export function eventCounts(run: { status: string; events: RunReport['events'] }): string {
  const { events } = run;
  return run.status === 'dry-run' ? `${events.planned} events planned, none sent` : `${events.accepted}/${events.planned + events.drained} events accepted, ${events.failed} failed`;
}

/** "… members (…) · 31/31 events accepted, 0 failed · 6 of 188 rows rejected · 0.4 s": what a run counted. */
export function runCounts(run: { status: string; summary: Pick<RunReport, 'members' | 'events' | 'rows' | 'durationsMs'> }, perAction = ''): string[] {
  const { members, events, rows, durationsMs } = run.summary;
  return [
    memberCounts(members),
    `${eventCounts({ status: run.status, events })}${perAction ? ` (${perAction})` : ''}`,
    `${rows.rejected} of ${rows.read} rows rejected`,
    `${(durationsMs.total / 1000).toFixed(1)} s`,
  ];
}

/** "succeeded, 4 members left untouched": the status as the banner of report.html shows it. */
export function statusText(report: Pick<RunReport, 'status' | 'members' | 'exitCode'>): string {
  const untouched = report.members.untouched;
  const text =
    report.status === 'succeeded' && untouched > 0 ? `succeeded, ${untouched} member${untouched === 1 ? '' : 's'} left untouched` : report.status;
  return report.exitCode === EXIT.rejects ? `${text} (exit ${EXIT.rejects}: --fail-on-rejects)` : text;
}

/** The one line a person reads on stdout after a run. */
export function summaryLine(report: RunReport, reportPath: string): string {
  const { events } = report;
  if (report.status === 'skipped') return `loyalty-sync ${report.runId}: skipped (no new export) in ${(report.durationsMs.total / 1000).toFixed(1)} s; report ${reportPath}`;
  const actions = report.status === 'dry-run' ? events.plannedByAction : events.byAction;
  const perAction = inActionOrder(actions)
    .map(([action, n]) => `${shortAction(action)} ${n}`)
    .join(', ');
  const parts = [`loyalty-sync ${report.runId}: ${statusText(report)}`, ...runCounts({ status: report.status, summary: report }, perAction), `report ${reportPath}`];
  if (report.error) parts.splice(1, 0, `${report.error.code}: ${report.error.message.split('\n')[0]}`);
  return parts.join(' · ');
}

/** The files a person opens next, one per line under the summary line: report.html, and rejects.csv when rows were rejected. */
export function reportFileLines(report: RunReport, reportPath: string, indent = '  '): string {
  const folder = dirname(reportPath);
  const lines = [`${indent}readable report: ${join(folder, 'report.html')}`];
  if (report.rejects.file) lines.push(`${indent}rejected rows: ${join(folder, report.rejects.file)}`);
  return `${lines.join('\n')}\n`;
}

/** For --dry-run: planned events per action, with the first members of each. */
export function planSummary(report: RunReport): string {
  const rows = inActionOrder(report.events.plannedByAction).map(([action, n]) => {
    const sample = report.plannedSample[action as keyof typeof report.plannedSample] ?? [];
    const more = n > sample.length ? ', …' : '';
    return `  ${shortAction(action).padEnd(22)} ${String(n).padStart(8)}   ${sample.map((event) => event.contactId).join(', ')}${more}`;
  });
  if (rows.length === 0) return 'Plan: nothing to send.\n';
  const sending = report.sendEstimate
    ? `Sending: ${describeEstimate(report.sendEstimate)}`
    : 'Sending: how long is not known yet (no run has sent for long enough to measure the rate; --max-rate gives one)';
  return `Plan (dry run: nothing was sent or committed):\n${rows.join('\n')}\n${sending}\n`;
}

/** How many of the listed failures each action had. */
export function failuresByAction(report: Pick<RunReport, 'failures'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const failure of report.failures) counts.set(failure.action, (counts.get(failure.action) ?? 0) + 1);
  return counts;
}
