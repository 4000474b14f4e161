// The last runs at a glance: one column per run, oldest left, this run right. A status square, then bars
// for events accepted (failed on top), members changed and duration. History comes from the state
// file's runs table; this run is taken from its report, as its row is only finished after the report
// is written.
import type { RunRecord } from '../state/runs.ts';
import { formatCount, formatDay, formatDuration } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { STATUS_COLOURS } from './status-colours.ts';
import { coordinate as c, niceCeiling } from './svg-scale.ts';

export const TREND_RUNS = 30;

export interface TrendRun {
  runId: string;
  startedAt: string;
  status: RunRecord['status'];
  /** The run this report is about. */
  current: boolean;
  /** new + changed + deleted; undefined when the run left no summary (it never finished). */
  membersChanged?: number;
  eventsAccepted?: number;
  eventsFailed?: number;
  rowsRejected?: number;
  durationMs?: number;
}

/**
 * This run and up to `limit - 1` runs that started before it, oldest first, this run last. The order of
 * `history` does not matter, and runs after this one (re-rendering an old report) are left out.
 */
export function trendRuns(report: RunReport, history: readonly RunRecord[], limit = TREND_RUNS): TrendRun[] {
  const startedAt = Date.parse(report.startedAt);
  const earlier = history
    .filter((run) => run.runId !== report.runId && Date.parse(run.startedAt) <= startedAt)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.runId.localeCompare(b.runId))
    .slice(-(limit - 1))
    .map((run) => trendRunOf(run, false));
  const current = trendRunOf({ runId: report.runId, startedAt: report.startedAt, finishedAt: report.finishedAt, status: report.status, summary: report }, true);
  return [...(limit > 1 ? earlier : []), current];
}

function trendRunOf(run: RunRecord, current: boolean): TrendRun {
  const summary = run.summary;
  const elapsed = run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : Number.NaN;
  const durationMs = summary?.durationsMs?.total ?? (Number.isFinite(elapsed) ? elapsed : undefined);
  return {
    runId: run.runId,
    startedAt: run.startedAt,
    status: run.status,
    current,
    ...(summary?.members && { membersChanged: summary.members.new + summary.members.changed + summary.members.deleted }),
    ...(summary?.events && { eventsAccepted: summary.events.accepted, eventsFailed: summary.events.failed }),
    ...(summary?.rows && { rowsRejected: summary.rows.rejected }),
    ...(durationMs !== undefined && { durationMs }),
  };
}

const WIDTH = 400;
const SIDE = 4;
const STATUS_TOP = 20;
const STATUS_SIZE = 12;
const ROWS = [
  { key: 'events', top: 58, height: 48, caption: 'Events accepted (not accepted in red)' },
  { key: 'members', top: 128, height: 36, caption: 'Members changed (new, changed, deleted)' },
  { key: 'duration', top: 186, height: 36, caption: 'Duration' },
] as const;
const HEIGHT = 246;
/** From a caption's baseline to the top of what it names: room for descenders and the frame of this run's column. */
const CAPTION_GAP = 7;
const BAR = { events: '#1b7f3b', failed: '#b3261e', members: '#35609c', duration: '#5b6470', missing: '#c4c9d0' };

export function renderRunTrendChart(runs: readonly TrendRun[], timeZone: string): string {
  const slots = Math.max(runs.length, 10);
  const slot = (WIDTH - 2 * SIDE) / slots;
  const xOf = (index: number) => SIDE + (slots - runs.length + index) * slot;
  const barWidth = Math.max(slot * 0.7, 1);
  const maxima = {
    events: niceCeiling(Math.max(0, ...runs.map((run) => (run.eventsAccepted ?? 0) + (run.eventsFailed ?? 0)))),
    members: niceCeiling(Math.max(0, ...runs.map((run) => run.membersChanged ?? 0))),
    duration: Math.max(1, ...runs.map((run) => run.durationMs ?? 0)),
  };

  const bar = (index: number, top: number, height: number, value: number | undefined, max: number, colour: string, stackedOn = 0) => {
    const x = c(xOf(index) + (slot - barWidth) / 2);
    if (value === undefined) return `<rect x="${x}" y="${top + height - 2}" width="${c(barWidth)}" height="2" fill="${BAR.missing}"/>`;
    const h = (value / max) * height;
    const below = (stackedOn / max) * height;
    return h > 0 ? `<rect x="${x}" y="${c(top + height - below - h)}" width="${c(barWidth)}" height="${c(h)}" fill="${colour}"/>` : '';
  };

  const columns = runs.map((run, index) => {
    const title = [
      `${run.runId}: ${run.status}`,
      run.eventsAccepted === undefined ? 'no summary' : `${run.eventsAccepted} events accepted, ${run.eventsFailed ?? 0} not accepted`,
      run.membersChanged === undefined ? '' : `${run.membersChanged} members changed`,
      run.durationMs === undefined ? '' : formatDuration(run.durationMs),
    ]
      .filter(Boolean)
      .join(' · ');
    const [events, members, duration] = ROWS;
    return [
      `<g class="run${run.current ? ' current' : ''}" data-run="${escapeHtml(run.runId)}" data-status="${escapeHtml(run.status)}"><title>${escapeHtml(title)}</title>`,
      // This run's column is framed band by band: a frame through the captions would cross their text.
      ...(run.current
        ? [{ top: STATUS_TOP, height: STATUS_SIZE }, ...ROWS].map(
            (band) => `<rect x="${c(xOf(index) + 0.5)}" y="${band.top - 3}" width="${c(slot - 1)}" height="${band.height + 6}" class="highlight"/>`,
          )
        : []),
      `<rect x="${c(xOf(index) + (slot - Math.min(barWidth, STATUS_SIZE)) / 2)}" y="${STATUS_TOP}" width="${c(Math.min(barWidth, STATUS_SIZE))}" height="${STATUS_SIZE}" rx="2" fill="${STATUS_COLOURS[run.status]}"/>`,
      bar(index, events.top, events.height, run.eventsAccepted, maxima.events, BAR.events),
      run.eventsFailed ? bar(index, events.top, events.height, run.eventsFailed, maxima.events, BAR.failed, run.eventsAccepted ?? 0) : '',
      bar(index, members.top, members.height, run.membersChanged, maxima.members, BAR.members),
      bar(index, duration.top, duration.height, run.durationMs, maxima.duration, BAR.duration),
      `</g>`,
    ].join('');
  });

  const captions = ROWS.map((row) => {
    const max = row.key === 'duration' ? formatDuration(maxima.duration) : formatCount(maxima[row.key]);
    // Caption and scale share the band above the row's bars, where nothing is drawn.
    return (
      `<text x="${SIDE}" y="${row.top - CAPTION_GAP}" class="caption">${escapeHtml(row.caption)}</text>` +
      `<text x="${WIDTH - SIDE}" y="${row.top - CAPTION_GAP}" text-anchor="end" class="scale">${escapeHtml(`max ${max}`)}</text>` +
      `<line x1="${SIDE}" y1="${row.top + row.height}" x2="${WIDTH - SIDE}" y2="${row.top + row.height}" class="axis"/>`
    );
  });
  const first = runs[0];
  const label = `The last ${runs.length} runs, oldest left; this run is the last column`;
  return [
    `<svg class="chart trend" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(label)}">`,
    `<text x="${SIDE}" y="${STATUS_TOP - CAPTION_GAP}" class="caption">Status</text>`,
    ...captions,
    ...columns,
    // At the left edge, whatever column the oldest run is in: under a column near the right it would run into "this run".
    first && runs.length > 1 ? `<text x="${SIDE}" y="${HEIGHT - 4}">${escapeHtml(`since ${formatDay(first.startedAt, timeZone)}`)}</text>` : '',
    `<text x="${WIDTH - SIDE}" y="${HEIGHT - 4}" text-anchor="end">this run</text>`,
    `</svg>`,
  ].join('');
}
