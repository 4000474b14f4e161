// The sections of report.html on how sending went: the send rate and latency over the run, and every
// answer the API gave by HTTP status, with what that status means for the events behind it.
import { formatDuration, formatLatency } from './display-format.ts';
import type { RunReport } from '../base/report-schema.ts';
import { chartWithNumbers, meter, raw, table, tiles, type ReportSection } from './report-html-blocks.ts';
import { CHART_COLOURS, renderSendRateChart } from './send-rate-chart.ts';

export function deliverySection(report: RunReport): ReportSection {
  const { delivery } = report;
  const latency = tiles([
    { key: 'p50', label: 'latency p50', value: formatLatency(delivery.latencyMs.p50) },
    { key: 'p95', label: 'latency p95', value: formatLatency(delivery.latencyMs.p95) },
    { key: 'max', label: 'latency max', value: formatLatency(delivery.latencyMs.max) },
    { key: 'send-time', label: 'sending took', value: formatDuration(report.durationsMs.drain + report.durationsMs.deliver) },
  ]);
  if (delivery.timeline.length === 0) return { id: 'delivery', title: 'Send rate and latency', body: `${latency}<p class="none">Nothing was sent in this run.</p>` };
  const legend: [string, string][] = [
    ['accepted', CHART_COLOURS.accepted],
    ['not accepted', CHART_COLOURS.failed],
    ['p50 latency', CHART_COLOURS.p50],
    ['p95 latency', CHART_COLOURS.p95],
  ];
  const numbers = table(
    'timeline',
    ['from', 'seconds', 'accepted', 'not accepted', 'p50 ms', 'p95 ms'],
    delivery.timeline.map((slice) => [`${slice.atSeconds} s`, slice.seconds, slice.accepted, slice.failed, slice.p50Ms, slice.p95Ms]),
    { cards: false },
  );
  return {
    id: 'delivery',
    title: 'Send rate and latency',
    body: latency + chartWithNumbers(renderSendRateChart(delivery.timeline), legend, 'The numbers per time slice', numbers),
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
