// The sections of report.html on how sending went: the send rate, concurrency limit and latency over the
// run (and how long the sending still to come will take), and every answer the API gave by HTTP status,
// with what that status means for the events behind it.
import { formatCount, formatDuration, formatLatency } from './display-format.ts';
import type { RunReport } from '../base/report-schema.ts';
import { escapeHtml } from './escape-html.ts';
import { chartWithNumbers, meter, raw, table, tiles, type ReportSection } from './report-html-blocks.ts';
import { describeEstimate } from './send-estimate.ts';
import { CHART_COLOURS, renderSendRateChart } from './send-rate-chart.ts';

export function deliverySection(report: RunReport): ReportSection {
  const { delivery } = report;
  const latency = tiles([
    { key: 'p50', label: 'latency p50', value: formatLatency(delivery.latencyMs.p50) },
    { key: 'p95', label: 'latency p95', value: formatLatency(delivery.latencyMs.p95) },
    { key: 'max', label: 'latency max', value: formatLatency(delivery.latencyMs.max) },
    { key: 'send-time', label: 'sending took', value: formatDuration(report.durationsMs.drain + report.durationsMs.deliver) },
  ]);
  const title = 'Send rate, concurrency and latency';
  const toCome = sendingToCome(report);
  if (delivery.timeline.length === 0) return { id: 'delivery', title, body: `${latency}${toCome}<p class="none">Nothing was sent in this run.</p>` };
  const legend: [string, string][] = [
    ['accepted', CHART_COLOURS.accepted],
    ['not accepted', CHART_COLOURS.failed],
    ['concurrency limit', CHART_COLOURS.limit],
    ['429 answers', CHART_COLOURS.rateLimited],
    ['p50 latency', CHART_COLOURS.p50],
    ['p95 latency', CHART_COLOURS.p95],
  ];
  const numbers = table(
    'timeline',
    ['from', 'seconds', 'accepted', 'not accepted', '429', 'limit', 'p50 ms', 'p95 ms'],
    delivery.timeline.map((slice) => [`${slice.atSeconds} s`, slice.seconds, slice.accepted, slice.failed, slice.rateLimited ?? 0, slice.limit ?? '—', slice.p50Ms, slice.p95Ms]),
    { cards: false },
  );
  return { id: 'delivery', title, body: latency + toCome + chartWithNumbers(renderSendRateChart(delivery.timeline), legend, 'The numbers per time slice', numbers) };
}

/** What is still to be sent, and how long it will take: a dry run's plan, or what waits for the next run. */
function sendingToCome(report: RunReport): string {
  const estimate = report.sendEstimate && describeEstimate(report.sendEstimate);
  if (report.waiting) {
    const { members, events } = report.waiting;
    const when = estimate ? `: ${estimate}` : '';
    return `<p class="to-come" data-key="waiting">${escapeHtml(`${formatCount(members)} members with ${formatCount(events)} events wait in the outbox; the next run sends them first${when}.`)}</p>`;
  }
  if (report.status !== 'dry-run' || report.events.planned === 0) return '';
  const text = estimate
    ? `Sending the plan: ${estimate}.`
    : `Sending the plan's ${formatCount(report.events.planned)} events: how long is not known yet (no run has sent for long enough to measure the rate; --max-rate gives one).`;
  return `<p class="to-come" data-key="estimate">${escapeHtml(text)}</p>`;
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

export function answersSection(report: RunReport): ReportSection {
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
        { key: 'retries', label: 'retries', value: events.retries, toneIfAny: 'warn' },
        { key: 'not-ok', label: 'answers not 2xx', value: notOk, toneIfAny: 'warn' },
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
