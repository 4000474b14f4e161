// The sections of report.html on what the run changed: members by outcome, events planned and accepted
// per action, and a sample of the planned events (what a dry run is read for).
import { failuresByAction } from './summary-line.ts';
import { ACTIONS } from '../base/actions.ts';
import { formatCount } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { actionName, meter, plural, raw, table, tiles, type Cell, type ReportSection } from './report-html-blocks.ts';
import { CHART_COLOURS } from './send-rate-chart.ts';

export function membersSection(report: RunReport): ReportSection {
  const m = report.members;
  return {
    id: 'members',
    title: 'Members',
    body:
      tiles([
        { key: 'total', label: 'members', value: m.total },
        { key: 'new', label: 'new', value: m.new },
        { key: 'changed', label: 'changed', value: m.changed },
        { key: 'unchanged', label: 'unchanged', value: m.unchanged },
        { key: 'deleted', label: 'deleted', value: m.deleted },
        { key: 'failed', label: 'failed', value: m.failed, toneIfAny: 'bad' },
        { key: 'untouched', label: 'untouched', value: m.untouched, toneIfAny: 'warn' },
      ]) +
      `<p class="note">Every member the run looked at (each one in the members file, and each known member missing from it) is in exactly one part: ` +
      `new + changed + unchanged + deleted + failed + untouched = ${formatCount(m.total)}. Failed: planned, but the API did not accept it all (sent again next run). ` +
      `Untouched: left as it was, because a row of it was rejected or it could not safely be deleted.</p>`,
  };
}

export function eventsSection(report: RunReport): ReportSection {
  const { events } = report;
  const failedByAction = failuresByAction(report);
  const known = new Set<string>(ACTIONS);
  const actions = [
    ...ACTIONS,
    // An action the API or an older state file named that this version does not know still shows.
    ...[...failedByAction.keys()].filter((action) => !known.has(action)),
  ].filter((action) => (events.plannedByAction as Record<string, number>)[action] || (events.byAction as Record<string, number>)[action] || failedByAction.get(action));
  // Coupon and stamp-card events: whether each went as a full replacement or per item, and why (--item-events).
  const bases = (events.plannedByBasis ?? {}) as Record<string, Record<string, number>>;
  const withBases = Object.keys(bases).length > 0;
  const rows = actions.map((action) => {
    const planned = (events.plannedByAction as Record<string, number>)[action] ?? 0;
    const accepted = (events.byAction as Record<string, number>)[action] ?? 0;
    const row: Cell[] = [
      actionName(action),
      planned,
      raw(`${formatCount(accepted)} ${meter(accepted, planned, CHART_COLOURS.accepted).html}`),
      failedByAction.get(action) ?? 0,
    ];
    if (withBases) row.push(Object.entries(bases[action] ?? {}).map(([basis, n]) => `${basis} ${formatCount(n)}`).join(' · '));
    return row;
  });
  return {
    id: 'events',
    title: 'Events',
    body:
      tiles([
        { key: 'planned', label: 'planned', value: events.planned },
        { key: 'accepted', label: 'accepted', value: events.accepted },
        { key: 'failed', label: 'not accepted', value: events.failed, toneIfAny: 'bad' },
        { key: 'retries', label: 'retries', value: events.retries, toneIfAny: 'warn' },
        { key: 'drained', label: 'left by an earlier run', value: events.drained },
      ]) +
      table('events-by-action', ['action', 'planned', 'accepted', 'failed', ...(withBases ? ['planned as'] : [])], rows, {
        empty: noEventsText(report),
        cards: false,
      }) +
      (withBases || (report.options.itemEvents && events.planned > 0)
        ? `<p class="note" data-item-events="${escapeHtml(report.options.itemEvents ?? 'synced')}">Coupon and stamp-card changes: <code>--item-events ${escapeHtml(report.options.itemEvents ?? 'synced')}</code> ` +
          `(synced: one full replacement per member and kind; items: one event per changed or removed item; auto: whichever is smaller; a member's first sync of a kind is always a replacement).</p>`
        : '') +
      (report.status === 'dry-run' ? '<p class="note">Dry run: nothing was sent, so nothing was accepted.</p>' : '') +
      (events.drained > 0 ? `<p class="note">Accepted includes ${plural(events.drained, 'event')} an interrupted earlier run had planned.</p>` : ''),
  };
}

function noEventsText(report: RunReport): string {
  switch (report.status) {
    case 'skipped':
      return 'No export, so no events.';
    case 'refused':
    case 'failed':
      return report.events.planned === 0 ? 'No events: the run stopped before any were planned.' : 'None.';
    default:
      return 'Nothing had changed, so no events were needed.';
  }
}

export function plannedSampleSection(report: RunReport): ReportSection {
  const entries = ACTIONS.flatMap((action) => {
    const sample = report.plannedSample[action];
    return sample && sample.length > 0 ? [[action, sample] as const] : [];
  });
  const body =
    entries.length === 0
      ? '<p class="none">No events were planned.</p>'
      : `<details${report.status === 'dry-run' ? ' open' : ''}><summary>The first planned events of each action</summary>${entries
          .map(
            ([action, sample]) =>
              `<h3><code>${escapeHtml(action)}</code> <span class="count">${formatCount((report.events.plannedByAction as Record<string, number>)[action] ?? sample.length)} planned</span></h3><ul class="sample" data-action="${escapeHtml(action)}">${sample
                .map((event) => `<li>${escapeHtml(event.contactId)} <code>${escapeHtml(event.eventId)}</code></li>`)
                .join('')}</ul>`,
          )
          .join('')}</details>`;
  return { id: 'planned', title: 'Planned events', body };
}
