// report.html: one self-contained page (inline CSS and SVG; no script, no network) for the person who
// asks at 08:00 "did last night work, and what happened?". Built only from the report and the runs
// table, which hold no secret. Every value is escaped, and the finished page goes through the phone
// number mask: free text from the API or an export must not smuggle a full number onto the page.
import { ACTIONS } from '../api/events.ts';
import type { RunRecord } from '../state/runs.ts';
import { formatBytes, formatCount, formatDuration, formatLatency, formatTime } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import { maskPhoneNumbersIn } from '../ingest/phone.ts';
import type { RunReport } from './report-schema.ts';
import { renderRunTrendChart, trendRuns, type TrendRun } from './run-trend.ts';
import { CHART_COLOURS, renderSendRateChart } from './send-rate-chart.ts';
import { REPORT_STYLE } from './report-html-style.ts';
import { STATUS_COLOURS } from './status-colours.ts';

export interface ReportHtmlOptions {
  /** IANA time zone for the times shown (the job's --time-zone); default UTC. */
  timeZone?: string;
  /** Failures listed on the page (report.json keeps more). */
  failuresShown?: number;
}

const DEFAULT_FAILURES_SHOWN = 50;

/** Raw HTML, as opposed to text that is escaped on the way in. */
interface Html {
  html: string;
}
type Cell = string | number | Html | undefined;

const raw = (html: string): Html => ({ html });
const cellHtml = (cell: Cell) => (typeof cell === 'object' ? cell.html : escapeHtml(typeof cell === 'number' ? formatCount(cell) : (cell ?? '')));
/** `member.registered` for `benefits.member.registered` (every action has the prefix), the full name on hover. */
const actionName = (action: string) => raw(`<code title="${escapeHtml(action)}">${escapeHtml(action.replace(/^benefits\./, ''))}</code>`);
const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/**
 * @param history earlier runs from the state file (`runs.recent(30)`, any order); this run is taken
 *   from `report` whether or not `history` holds it.
 */
export function renderReportHtml(report: RunReport, history: readonly RunRecord[] = [], options: ReportHtmlOptions = {}): string {
  const timeZone = options.timeZone ?? 'UTC';
  const trend = trendRuns(report, history);
  const planned = plannedSampleSection(report);
  const sections: { id: string; title: string; count?: number; body: string }[] = [
    membersSection(report),
    eventsSection(report),
    // A dry run is read for its plan: the sample comes right after the counts.
    ...(report.status === 'dry-run' ? [planned] : []),
    failuresSection(report, options.failuresShown ?? DEFAULT_FAILURES_SHOWN),
    rejectsSection(report),
    warningsSection(report),
    deliverySection(report),
    answersSection(report),
    sourcesSection(report, timeZone),
    trendSection(trend, timeZone),
    ...(report.status === 'dry-run' ? [] : [planned]),
  ];
  const nav = sections
    .map((section) => `<a href="#${section.id}">${escapeHtml(section.title)}${section.count ? ` <span class="badge">${formatCount(section.count)}</span>` : ''}</a>`)
    .join('');
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`loyalty-sync ${report.status}: ${report.runId}`)}</title>
<style>${REPORT_STYLE}</style></head><body>
${banner(report, timeZone)}
<nav>${nav}</nav>
<main>
${sections.map((section) => `<section id="${section.id}"><h2>${escapeHtml(section.title)}</h2>${section.body}</section>`).join('\n')}
</main>
<footer>Written by loyalty-sync from <a href="report.json">report.json</a> · times in ${escapeHtml(timeZone)}</footer>
</body></html>
`;
  return maskPhoneNumbersIn(page);
}

function verdict(report: RunReport): string {
  const { events, members } = report;
  const changedMembers = members.new + members.changed + members.deleted;
  switch (report.status) {
    case 'succeeded':
      return events.planned + events.drained === 0
        ? 'Nothing had changed, so nothing was sent.'
        : `All ${plural(events.accepted, 'event')} for ${plural(changedMembers, 'changed member')} were accepted.`;
    case 'partial':
      return `${plural(members.failed, 'member')} could not be delivered (${plural(events.failed, 'event')} not accepted); the next run plans them again. ${formatCount(events.accepted)} events were accepted.`;
    case 'failed':
      return 'The run did not finish. Events the API accepted were committed; the next run picks up the rest.';
    case 'refused':
      return 'A safety guard refused this export, so nothing was sent. Check the export; if it is right, run again with the override the error names.';
    case 'skipped':
      return 'There was no new export, so there was nothing to do.';
    case 'dry-run':
      return `Dry run: ${plural(events.planned, 'event')} planned for ${plural(changedMembers, 'member')}; nothing was sent or committed.`;
  }
}

function banner(report: RunReport, timeZone: string): string {
  const chips = [
    report.options.dryRun && report.status !== 'dry-run' ? 'dry run' : '',
    report.options.full ? 'full backfill' : '',
    report.options.shard ? `shard ${report.options.shard}` : '',
    report.options.allowMassDelete ? 'guards overridden (--allow-mass-delete)' : '',
  ].filter(Boolean);
  const notes = [
    report.rows.rejected > 0 ? `${plural(report.rows.rejected, 'row')} rejected` : '',
    report.warnings.length > 0 ? plural(report.warnings.length, 'warning') : '',
  ].filter(Boolean);
  const facts: [string, string][] = [
    ['Run', report.runId],
    ['Started', formatTime(report.startedAt, timeZone)],
    ['Finished', formatTime(report.finishedAt, timeZone)],
    ['Duration', formatDuration(report.durationsMs.total)],
    ['Exit code', String(report.exitCode)],
  ];
  if (report.source.exportId) facts.push(['Export', report.source.exportId]);
  return `<header id="status" class="banner" data-status="${escapeHtml(report.status)}" style="background:${STATUS_COLOURS[report.status]}">
<p class="status">${escapeHtml(report.status)}</p>
<p class="verdict">${escapeHtml(verdict(report))}${notes.length > 0 ? ` <strong>${escapeHtml(notes.join(', '))}.</strong>` : ''}</p>
${chips.length > 0 ? `<p>${chips.map((chip) => `<span class="chip">${escapeHtml(chip)}</span>`).join(' ')}</p>` : ''}
<dl class="facts">${facts.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>
${report.error ? `<div class="error" id="error"><strong>${escapeHtml(report.error.code)}</strong> ${escapeHtml(report.error.message)}</div>` : ''}
</header>`;
}

/** Key figures as tiles; `tone` marks the ones that need a look. */
function tiles(entries: { key: string; label: string; value: number | string; tone?: 'bad' | 'warn' | undefined }[]): string {
  return `<dl class="tiles">${entries
    .map(
      (entry) =>
        `<div class="tile${entry.tone ? ` ${entry.tone}` : ''}" data-key="${escapeHtml(entry.key)}"><dt>${escapeHtml(entry.label)}</dt><dd>${escapeHtml(
          typeof entry.value === 'number' ? formatCount(entry.value) : entry.value,
        )}</dd></div>`,
    )
    .join('')}</dl>`;
}

/** A table; unless `cards: false` (narrow tables), one card per row on a narrow screen, each cell labelled with its header. */
function table(name: string, headers: string[], rows: Cell[][], options: { empty?: string; cards?: boolean } = {}): string {
  if (rows.length === 0) return `<p class="none">${escapeHtml(options.empty ?? 'None.')}</p>`;
  const head = headers.map((header) => `<th scope="col">${escapeHtml(header)}</th>`).join('');
  // The <span> keeps a cell's content one piece beside its label when the row becomes a card.
  const body = rows.map((row) => `<tr>${row.map((cell, index) => `<td data-label="${escapeHtml(headers[index] ?? '')}"><span>${cellHtml(cell)}</span></td>`).join('')}</tr>`).join('\n');
  return `<table${options.cards === false ? '' : ' class="cards"'} data-table="${escapeHtml(name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function meter(value: number, max: number, colour: string): Html {
  const percent = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return raw(`<span class="meter" aria-hidden="true"><span style="width:${percent.toFixed(1)}%;background:${colour}"></span></span>`);
}

function membersSection(report: RunReport) {
  const m = report.members;
  return {
    id: 'members',
    title: 'Members',
    body:
      tiles([
        { key: 'total', label: 'in the plan', value: m.total },
        { key: 'new', label: 'new', value: m.new },
        { key: 'changed', label: 'changed', value: m.changed },
        { key: 'unchanged', label: 'unchanged', value: m.unchanged },
        { key: 'deleted', label: 'deleted', value: m.deleted },
        { key: 'failed', label: 'failed', value: m.failed, tone: m.failed > 0 ? 'bad' : undefined },
        { key: 'untouched', label: 'untouched', value: m.untouched, tone: m.untouched > 0 ? 'warn' : undefined },
      ]) + `<p class="note">Untouched: members left as they were because a row of theirs was rejected.</p>`,
  };
}

function eventsSection(report: RunReport) {
  const { events } = report;
  const failedByAction = new Map<string, number>();
  for (const failure of report.failures) failedByAction.set(failure.action, (failedByAction.get(failure.action) ?? 0) + 1);
  const known = new Set<string>(ACTIONS);
  const actions = [
    ...ACTIONS,
    // An action the API or an older state file named that this version does not know still shows.
    ...[...failedByAction.keys()].filter((action) => !known.has(action)),
  ].filter((action) => (events.plannedByAction as Record<string, number>)[action] || (events.byAction as Record<string, number>)[action] || failedByAction.get(action));
  const rows = actions.map((action) => {
    const planned = (events.plannedByAction as Record<string, number>)[action] ?? 0;
    const accepted = (events.byAction as Record<string, number>)[action] ?? 0;
    return [
      actionName(action),
      planned,
      raw(`${formatCount(accepted)} ${meter(accepted, planned, CHART_COLOURS.accepted).html}`),
      failedByAction.get(action) ?? 0,
    ];
  });
  return {
    id: 'events',
    title: 'Events',
    body:
      tiles([
        { key: 'planned', label: 'planned', value: events.planned },
        { key: 'accepted', label: 'accepted', value: events.accepted },
        { key: 'failed', label: 'not accepted', value: events.failed, tone: events.failed > 0 ? 'bad' : undefined },
        { key: 'retries', label: 'retries', value: events.retries, tone: events.retries > 0 ? 'warn' : undefined },
        { key: 'drained', label: 'left by an earlier run', value: events.drained },
      ]) +
      table('events-by-action', ['action', 'planned', 'accepted', 'failed'], rows, {
        empty: noEventsText(report),
        cards: false,
      }) +
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

function failuresSection(report: RunReport, shown: number) {
  const total = report.failures.length + report.failuresNotListed;
  const byCode = new Map<string, number>();
  for (const failure of report.failures) {
    const key = `${failure.code}${failure.status === undefined ? '' : ` (HTTP ${failure.status})`}`;
    byCode.set(key, (byCode.get(key) ?? 0) + 1);
  }
  const listed = report.failures.slice(0, shown);
  const more = total - listed.length;
  const body =
    total === 0
      ? `<p class="none">${escapeHtml(report.status === 'succeeded' ? 'None: every member planned was delivered.' : report.status === 'dry-run' ? 'None: a dry run sends nothing.' : 'None.')}</p>`
      : `<ul class="by-code">${[...byCode].map(([code, n]) => `<li><strong>${formatCount(n)}</strong> × ${escapeHtml(code)}</li>`).join('')}</ul>` +
        table(
          'failures',
          ['contact', 'action', 'status', 'code', 'detail'],
          listed.map((failure) => [failure.contactId, actionName(failure.action), failure.status === undefined ? '—' : String(failure.status), failure.code, failure.detail]),
        ) +
        (more > 0 ? `<p class="more" data-more="${more}">…and ${plural(more, 'more failure')}${report.failuresNotListed > 0 ? ` (${formatCount(report.failuresNotListed)} beyond the list kept in report.json)` : ' in report.json'}.</p>` : '');
  return { id: 'failures', title: 'Failures', count: total, body };
}

function rejectsSection(report: RunReport) {
  const { rows, rejects } = report;
  const body =
    `<p>${formatCount(rows.rejected)} of ${plural(rows.read, 'row')} rejected.</p>` +
    table(
      'rejects',
      ['reason', 'rows', 'first examples (file:line)'],
      rejects.byReason.map((entry) => [entry.reason, entry.count, raw(entry.examples.map((example) => `<code>${escapeHtml(example)}</code>`).join(' '))]),
    ) +
    (rejects.file ? `<p>Every rejected row, with its reason: <a href="${escapeHtml(rejects.file)}">${escapeHtml(rejects.file)}</a></p>` : '');
  return { id: 'rejects', title: 'Rejected rows', count: rows.rejected, body };
}

function warningsSection(report: RunReport) {
  const body =
    report.warnings.length === 0 ? '<p class="none">None.</p>' : `<ul class="warnings">${report.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`;
  return { id: 'warnings', title: 'Warnings', count: report.warnings.length, body };
}

function deliverySection(report: RunReport) {
  const { delivery } = report;
  const latency = tiles([
    { key: 'p50', label: 'latency p50', value: formatLatency(delivery.latencyMs.p50) },
    { key: 'p95', label: 'latency p95', value: formatLatency(delivery.latencyMs.p95) },
    { key: 'max', label: 'latency max', value: formatLatency(delivery.latencyMs.max) },
    { key: 'send-time', label: 'sending took', value: formatDuration(report.durationsMs.drain + report.durationsMs.deliver) },
  ]);
  if (delivery.timeline.length === 0) return { id: 'delivery', title: 'Send rate and latency', body: `${latency}<p class="none">Nothing was sent in this run.</p>` };
  const legend = [
    ['accepted', CHART_COLOURS.accepted],
    ['not accepted', CHART_COLOURS.failed],
    ['p50 latency', CHART_COLOURS.p50],
    ['p95 latency', CHART_COLOURS.p95],
  ]
    .map(([label, colour]) => `<span><i style="background:${colour}"></i>${escapeHtml(label!)}</span>`)
    .join('');
  const numbers = table(
    'timeline',
    ['from', 'seconds', 'accepted', 'not accepted', 'p50 ms', 'p95 ms'],
    delivery.timeline.map((slice) => [`${slice.atSeconds} s`, slice.seconds, slice.accepted, slice.failed, slice.p50Ms, slice.p95Ms]),
    { cards: false },
  );
  return {
    id: 'delivery',
    title: 'Send rate and latency',
    body: `${latency}<figure>${renderSendRateChart(delivery.timeline)}<figcaption class="legend">${legend}</figcaption></figure><details><summary>The numbers per time slice</summary>${numbers}</details>`,
  };
}

const STATUS_MEANINGS: [RegExp, string][] = [
  [/^2\d\d$/, 'accepted'],
  [/^400$/, 'refused: the API found the event invalid (not retried)'],
  [/^40[13]$/, 'not authorised: credentials or subscription'],
  [/^409$/, 'conflict: the event id was used with another body'],
  [/^429$/, 'rate limited (retried after the wait the API asked for)'],
  [/^4\d\d$/, 'refused by the API'],
  [/^5\d\d$/, 'server error (retried)'],
  [/^network$/, 'no answer: connection reset or timed out (retried)'],
];

function answersSection(report: RunReport) {
  const { delivery, events } = report;
  const entries = Object.entries(delivery.byStatus).sort(([a], [b]) => a.localeCompare(b));
  const notOk = entries.filter(([status]) => !/^2\d\d$/.test(status)).reduce((sum, [, n]) => sum + n, 0);
  return {
    id: 'answers',
    title: 'Retries and answers',
    count: notOk,
    body:
      tiles([
        { key: 'attempts', label: 'requests', value: delivery.attempts },
        { key: 'retries', label: 'retries', value: events.retries, tone: events.retries > 0 ? 'warn' : undefined },
        { key: 'not-ok', label: 'answers not 2xx', value: notOk, tone: notOk > 0 ? 'warn' : undefined },
      ]) +
      table(
        'answers',
        ['status', 'answers', 'share', 'meaning'],
        entries.map(([status, n]) => [
          status,
          n,
          raw(`${delivery.attempts > 0 ? ((n / delivery.attempts) * 100).toFixed(1) : '0'}% ${meter(n, delivery.attempts, /^2/.test(status) ? CHART_COLOURS.accepted : CHART_COLOURS.failed).html}`),
          STATUS_MEANINGS.find(([pattern]) => pattern.test(status))?.[1] ?? '',
        ]),
        { empty: 'No request was sent.' },
      ),
  };
}

function sourcesSection(report: RunReport, timeZone: string) {
  const { source } = report;
  const facts: [string, string][] = [['Source', source.description]];
  if (source.exportId) facts.push(['Export', source.exportId]);
  if (source.asOf) facts.push(['As of', `${formatTime(source.asOf, timeZone)}${source.asOfFrom ? ` (from the ${source.asOfFrom})` : ''}`]);
  const files = table(
    'files',
    ['file', 'kind', 'rows', 'rejected', 'size', 'encoding', 'sha256', 'moved to'],
    source.files.map((file) => [
      file.name,
      file.kind,
      file.rows,
      file.rejected,
      raw(`<span title="${formatCount(file.bytes)} bytes">${escapeHtml(formatBytes(file.bytes))}</span>`),
      `${file.encoding}, ${file.delimiter === ';' || file.delimiter === ',' ? `"${file.delimiter}"` : file.delimiter}`,
      raw(`<code title="${escapeHtml(file.sha256)}">${escapeHtml(file.sha256.slice(0, 12))}</code>`),
      file.movedTo ?? '—',
    ]),
    { empty: 'No file was read.' },
  );
  const superseded =
    source.superseded && source.superseded.length > 0
      ? `<h3>Older exports set aside</h3><p class="note">Each export is a full state, so only the newest one was synced.</p>${table(
          'superseded',
          ['export', 'files', 'moved to'],
          source.superseded.map((entry) => [entry.id, entry.files.join(', '), entry.movedTo ?? '—']),
        )}`
      : '';
  return {
    id: 'sources',
    title: 'Source files',
    body: `<dl class="facts plain">${facts.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>${files}${superseded}`,
  };
}

function trendSection(runs: readonly TrendRun[], timeZone: string) {
  const legend = (['succeeded', 'partial', 'failed', 'refused', 'dry-run', 'skipped', 'running'] as const)
    .filter((status) => runs.some((run) => run.status === status))
    .map((status) => `<span><i style="background:${STATUS_COLOURS[status]}"></i>${status === 'running' ? 'never finished' : status}</span>`)
    .join('');
  const numbers = table(
    'trend',
    ['started', 'run', 'status', 'members changed', 'events accepted', 'not accepted', 'rows rejected', 'duration'],
    [...runs].reverse().map((run) => [
      formatTime(run.startedAt, timeZone),
      raw(`${escapeHtml(run.runId)}${run.current ? ' <strong>(this run)</strong>' : ''}`),
      run.status === 'running' ? 'never finished' : run.status,
      run.membersChanged ?? '—',
      run.eventsAccepted ?? '—',
      run.eventsFailed ?? '—',
      run.rowsRejected ?? '—',
      run.durationMs === undefined ? '—' : formatDuration(run.durationMs),
    ]),
  );
  return {
    id: 'trend',
    title: `The last ${runs.length === 1 ? 'run' : `${runs.length} runs`}`,
    body: `<figure>${renderRunTrendChart(runs, timeZone)}<figcaption class="legend">${legend}</figcaption></figure><details><summary>The runs as a table (newest first)</summary>${numbers}</details>`,
  };
}

function plannedSampleSection(report: RunReport) {
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
