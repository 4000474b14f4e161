import type { RunReport } from './report-schema.ts';

const shortAction = (action: string) => action.replace(/^benefits\./, '');

/** The one line a person reads on stdout after a run. */
export function summaryLine(report: RunReport, reportPath: string): string {
  const { members, events, rows } = report;
  const seconds = (report.durationsMs.total / 1000).toFixed(1);
  if (report.status === 'skipped') return `loyalty-sync ${report.runId}: skipped (no new export) in ${seconds} s; report ${reportPath}`;
  const actions = report.status === 'dry-run' ? events.plannedByAction : events.byAction;
  const perAction = Object.entries(actions)
    .map(([action, n]) => `${shortAction(action)} ${n}`)
    .join(', ');
  const eventPart =
    report.status === 'dry-run'
      ? `${events.planned} events planned, none sent`
      : `${events.accepted}/${events.planned + events.drained} events accepted, ${events.failed} failed`;
  const parts = [
    `loyalty-sync ${report.runId}: ${report.status}`,
    `${members.total} members (${members.new} new, ${members.changed} changed, ${members.unchanged} unchanged, ${members.deleted} deleted, ${members.failed} failed, ${members.untouched} untouched)`,
    `${eventPart}${perAction ? ` (${perAction})` : ''}`,
    `${rows.rejected} of ${rows.read} rows rejected`,
    `${seconds} s`,
    `report ${reportPath}`,
  ];
  if (report.error) parts.splice(1, 0, `${report.error.code}: ${report.error.message.split('\n')[0]}`);
  return parts.join(' · ');
}
