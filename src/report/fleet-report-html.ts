// fleet-report.html: one self-contained page (inline CSS, no script, no network) answering "did last night
// work for every merchant?": the fleet's worst status in its colour, the totals, and one row per merchant,
// worst first, each linking to the merchant's own report.html. Every value is escaped; the report was
// redacted before it got here (fleet-report.ts).
import type { FleetReport, MerchantRow } from '../base/fleet-report-schema.ts';
import { RUN_STATUSES } from '../base/report-schema.ts';
import { formatCount, formatDuration, formatTime } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import { factList, raw, table, tiles } from './report-html-blocks.ts';
import { REPORT_STYLE } from './report-html-style.ts';
import { STATUS_COLOURS } from './status-colours.ts';

export function renderFleetReportHtml(report: FleetReport, options: { timeZone?: string } = {}): string {
  const timeZone = options.timeZone ?? 'UTC';
  const { merchants, totals } = report;
  const counts = RUN_STATUSES.filter((status) => merchants.byStatus[status]).map((status) => `${formatCount(merchants.byStatus[status]!)} ${status}`);
  const facts: [string, string][] = [
    ['Fleet run', report.fleetRunId],
    ['Started', formatTime(report.startedAt, timeZone)],
    ['Finished', formatTime(report.finishedAt, timeZone)],
    ['Duration', formatDuration(report.durationMs)],
    ['Exit code', String(report.exitCode)],
    ['Merchants', `${formatCount(merchants.total)}${report.partition ? ` of ${formatCount(report.merchantsInFile)} (partition ${report.partition})` : ''}`],
  ];
  const rows = report.rows.map((row) => [
    raw(`<strong>${escapeHtml(row.id)}</strong><br><span class="note">MSN ${escapeHtml(row.merchantSerialNumber)}</span>`),
    raw(`<span style="color:${STATUS_COLOURS[row.status]};font-weight:600" data-status="${escapeHtml(row.status)}">${escapeHtml(row.status)}</span>`),
    row.exitCode,
    row.membersChanged,
    `${formatCount(row.events.accepted)} / ${formatCount(row.events.planned)}`,
    row.failures,
    row.rejects,
    formatDuration(row.durationMs),
    problem(row),
    row.report ? raw(`<a href="${escapeHtml(row.report.html)}">report</a>`) : '—',
  ]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`loyalty-sync fleet ${report.status}: ${report.fleetRunId}`)}</title>
<style>${REPORT_STYLE}</style></head><body>
<header id="status" class="banner" data-status="${escapeHtml(report.status)}" style="background:${STATUS_COLOURS[report.status]}">
<p class="status">${escapeHtml(`fleet: ${report.status}`)}</p>
<p class="verdict">${escapeHtml(`${formatCount(merchants.total)} merchant${merchants.total === 1 ? '' : 's'}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}. The worst merchant's exit code is the fleet's.`)}</p>
${factList(facts)}
</header>
<main>
<section id="totals"><h2>Totals</h2>${tiles([
    { key: 'membersChanged', label: 'members changed', value: totals.membersChanged },
    { key: 'eventsAccepted', label: 'events accepted', value: totals.eventsAccepted },
    { key: 'eventsFailed', label: 'events failed', value: totals.eventsFailed, toneIfAny: 'bad' },
    { key: 'failures', label: 'members failed', value: totals.failures, toneIfAny: 'bad' },
    { key: 'rejects', label: 'rows rejected', value: totals.rejects, toneIfAny: 'warn' },
  ])}</section>
<section id="merchants"><h2>Merchants, worst first</h2>${table('merchants', ['merchant', 'status', 'exit', 'members changed', 'events accepted / planned', 'members failed', 'rows rejected', 'duration', 'problem', 'report'], rows, { empty: 'No merchant in this partition.' })}</section>
</main>
<footer>Written by loyalty-sync from <a href="fleet-report.json">fleet-report.json</a> · times in ${escapeHtml(timeZone)}</footer>
</body></html>
`;
}

function problem(row: MerchantRow) {
  if (!row.error) return '';
  const firstLine = row.error.message.replace(/\s*\n\s*/g, ' ');
  return raw(`<code>${escapeHtml(row.error.code)}</code> ${escapeHtml(firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine)}`);
}
