// The send rate, the concurrency limit and the latency over the run as inline SVG (no script, no
// library): requests per second as stacked bars (accepted / not accepted), the concurrency limit as a
// line with a mark over each slice that had 429 answers, and the p50 and p95 latency per time slice.
// Built from `delivery.timeline`, whose slices all have the same width.
import type { RunReport } from '../base/report-schema.ts';
import { formatLatency } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import { axisCount, coordinate as c, niceCeiling } from './svg-scale.ts';

type Slice = RunReport['delivery']['timeline'][number];

export const CHART_COLOURS = { accepted: '#1b7f3b', failed: '#b3261e', p50: '#35609c', p95: '#a35f00', limit: '#6a3d9a', rateLimited: '#b3261e' };

const WIDTH = 400;
const LEFT = 48;
const RIGHT = 8;
const RATE_TOP = 22;
const RATE_HEIGHT = 78;
const LIMIT_TOP = 132;
const LIMIT_HEIGHT = 50;
const LATENCY_TOP = 214;
const LATENCY_HEIGHT = 66;
const HEIGHT = 302;

export function renderSendRateChart(timeline: readonly Slice[]): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const slot = plotWidth / Math.max(timeline.length, 1);
  const rates = timeline.map((slice) => (slice.accepted + slice.failed) / slice.seconds);
  const rateMax = niceCeiling(Math.max(0, ...rates));
  const latencyMax = niceCeiling(Math.max(0, ...timeline.map((slice) => slice.p95Ms)));
  const end = timeline.length > 0 ? timeline.at(-1)!.atSeconds + timeline.at(-1)!.seconds : 0;

  const bars = timeline.map((slice, index) => {
    const x = LEFT + index * slot + slot * 0.1;
    const width = Math.max(slot * 0.8, 0.6);
    const acceptedHeight = (slice.accepted / slice.seconds / rateMax) * RATE_HEIGHT;
    const failedHeight = (slice.failed / slice.seconds / rateMax) * RATE_HEIGHT;
    const base = RATE_TOP + RATE_HEIGHT;
    const limit = slice.limit === undefined ? '' : `; concurrency limit ${slice.limit}`;
    const limited = slice.rateLimited ? `, ${slice.rateLimited} of them 429` : '';
    const title = `${slice.atSeconds}–${slice.atSeconds + slice.seconds} s: ${slice.accepted} accepted, ${slice.failed} not accepted${limited}${limit}; p50 ${slice.p50Ms} ms, p95 ${slice.p95Ms} ms`;
    return (
      `<g><title>${escapeHtml(title)}</title>` +
      (acceptedHeight > 0 ? `<rect x="${c(x)}" y="${c(base - acceptedHeight)}" width="${c(width)}" height="${c(acceptedHeight)}" fill="${CHART_COLOURS.accepted}"/>` : '') +
      (failedHeight > 0 ? `<rect x="${c(x)}" y="${c(base - acceptedHeight - failedHeight)}" width="${c(width)}" height="${c(failedHeight)}" fill="${CHART_COLOURS.failed}"/>` : '') +
      `</g>`
    );
  });

  // A slice without requests has no latency (nor a limit its answers came under): the line breaks there
  // instead of dropping to zero.
  const panel = (top: number, height: number, max: number) => (value: number) => top + height - (Math.min(value, max) / max) * height;
  const latencyY = panel(LATENCY_TOP, LATENCY_HEIGHT, latencyMax);
  const line = (pick: (slice: Slice) => number | undefined, y: (value: number) => number) => {
    let path = '';
    let drawing = false;
    timeline.forEach((slice, index) => {
      const value = slice.accepted + slice.failed === 0 ? undefined : pick(slice);
      if (value === undefined) {
        drawing = false;
        return;
      }
      path += `${drawing ? 'L' : 'M'}${c(LEFT + index * slot + slot / 2)} ${c(y(value))}`;
      drawing = true;
    });
    return path;
  };
  // A single point draws no line; a dot shows it.
  const dots = (pick: (slice: Slice) => number | undefined, y: (value: number) => number, colour: string) => {
    const value = timeline.length === 1 && timeline[0]!.accepted + timeline[0]!.failed > 0 ? pick(timeline[0]!) : undefined;
    return value === undefined ? '' : `<circle cx="${c(LEFT + slot / 2)}" cy="${c(y(value))}" r="2.5" fill="${colour}"/>`;
  };

  const limitMax = niceCeiling(Math.max(0, ...timeline.map((slice) => slice.limit ?? 0)));
  const limitY = panel(LIMIT_TOP, LIMIT_HEIGHT, limitMax);
  // A downward mark at the top of the limit's panel over each slice whose requests met 429s.
  const rateLimitedMarks = timeline.map((slice, index) => {
    if (!slice.rateLimited) return '';
    const x = LEFT + index * slot + slot / 2;
    const half = Math.min(3, Math.max(slot / 2, 1.5));
    const title = `${slice.atSeconds}–${slice.atSeconds + slice.seconds} s: ${slice.rateLimited} answers 429 (rate limited)`;
    return `<path class="rate-limited" d="M${c(x - half)} ${LIMIT_TOP}L${c(x + half)} ${LIMIT_TOP}L${c(x)} ${LIMIT_TOP + 5}Z" fill="${CHART_COLOURS.rateLimited}"><title>${escapeHtml(title)}</title></path>`;
  });

  const axis = (top: number, height: number, max: string) =>
    `<line x1="${LEFT}" y1="${top}" x2="${WIDTH - RIGHT}" y2="${top}" class="grid"/>` +
    `<line x1="${LEFT}" y1="${c(top + height / 2)}" x2="${WIDTH - RIGHT}" y2="${c(top + height / 2)}" class="grid"/>` +
    `<line x1="${LEFT}" y1="${top + height}" x2="${WIDTH - RIGHT}" y2="${top + height}" class="axis"/>` +
    `<text x="${LEFT - 4}" y="${top + 4}" text-anchor="end">${escapeHtml(max)}</text>` +
    `<text x="${LEFT - 4}" y="${top + height + 4}" text-anchor="end">0</text>`;

  const rateLimited = timeline.reduce((sum, slice) => sum + (slice.rateLimited ?? 0), 0);
  const summary = `Requests per second, concurrency limit (${rateLimited} answers 429) and latency over ${end} s of sending, in ${timeline.length} slices of ${timeline[0]?.seconds ?? 0} s`;
  return [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(summary)}">`,
    `<text x="${LEFT}" y="${RATE_TOP - 8}" class="caption">Requests per second</text>`,
    axis(RATE_TOP, RATE_HEIGHT, `${axisCount(rateMax)}/s`),
    ...bars,
    `<text x="${LEFT}" y="${LIMIT_TOP - 8}" class="caption">Concurrency limit, 429s marked</text>`,
    axis(LIMIT_TOP, LIMIT_HEIGHT, axisCount(limitMax)),
    `<path class="limit" d="${line((slice) => slice.limit, limitY)}" fill="none" stroke="${CHART_COLOURS.limit}" stroke-width="1.5"/>`,
    dots((slice) => slice.limit, limitY, CHART_COLOURS.limit),
    ...rateLimitedMarks,
    `<text x="${LEFT}" y="${LATENCY_TOP - 8}" class="caption">Latency (p50, p95)</text>`,
    axis(LATENCY_TOP, LATENCY_HEIGHT, formatLatency(latencyMax)),
    `<path d="${line((slice) => slice.p95Ms, latencyY)}" fill="none" stroke="${CHART_COLOURS.p95}" stroke-width="1.5"/>`,
    `<path d="${line((slice) => slice.p50Ms, latencyY)}" fill="none" stroke="${CHART_COLOURS.p50}" stroke-width="1.5"/>`,
    dots((slice) => slice.p95Ms, latencyY, CHART_COLOURS.p95),
    dots((slice) => slice.p50Ms, latencyY, CHART_COLOURS.p50),
    `<text x="${LEFT}" y="${HEIGHT - 6}">0 s</text>`,
    `<text x="${WIDTH - RIGHT}" y="${HEIGHT - 6}" text-anchor="end">${escapeHtml(`${end} s`)}</text>`,
    `</svg>`,
  ].join('');
}
