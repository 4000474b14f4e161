import { ACTIONS } from '../api/events.ts';
import type { RunReport } from './report-schema.ts';

const shortAction = (action: string) => action.replace(/^benefits\./, '');
/** Counts per action in the API's action order. */
const inActionOrder = (counts: Partial<Record<string, number>>) =>
  ACTIONS.filter((action) => counts[action] !== undefined).map((action) => [action, counts[action]!] as const);

/** The one line a person reads on stdout after a run. */
export function summaryLine(report: RunReport, reportPath: string): string {
  const { members, events, rows } = report;
  const seconds = (report.durationsMs.total / 1000).toFixed(1);
  if (report.status === 'skipped') return `loyalty-sync ${report.runId}: skipped (no new export) in ${seconds} s; report ${reportPath}`;
  const actions = report.status === 'dry-run' ? events.plannedByAction : events.byAction;
  const perAction = inActionOrder(actions)
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

/** For --dry-run: planned events per action, with the first members of each. */
export function planSummary(report: RunReport): string {
  const rows = inActionOrder(report.events.plannedByAction).map(([action, n]) => {
    const sample = report.plannedSample[action as keyof typeof report.plannedSample] ?? [];
    const more = n > sample.length ? ', …' : '';
    return `  ${shortAction(action).padEnd(22)} ${String(n).padStart(8)}   ${sample.map((event) => event.contactId).join(', ')}${more}`;
  });
  if (rows.length === 0) return 'Plan: nothing to send.\n';
  return `Plan (dry run: nothing was sent or committed):\n${rows.join('\n')}\n`;
}
