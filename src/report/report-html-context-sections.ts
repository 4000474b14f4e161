// The sections of report.html that put the run in context: the export and files it read (and the older
// exports it set aside), and how it compares with the runs before it.
import { formatBytes, formatCount, formatDuration, formatTime } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { chartWithNumbers, factList, raw, table, type ReportSection } from './report-html-blocks.ts';
import { renderRunTrendChart, type TrendRun } from './run-trend.ts';
import { STATUS_COLOURS } from './status-colours.ts';

export function sourcesSection(report: RunReport, timeZone: string): ReportSection {
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
    body: `${factList(facts, { plain: true })}${files}${superseded}`,
  };
}

export function trendSection(runs: readonly TrendRun[], timeZone: string): ReportSection {
  const legend = (['succeeded', 'partial', 'failed', 'refused', 'dry-run', 'skipped', 'running'] as const)
    .filter((status) => runs.some((run) => run.status === status))
    .map((status): [string, string] => [status === 'running' ? 'never finished' : status, STATUS_COLOURS[status]]);
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
    body: chartWithNumbers(renderRunTrendChart(runs, timeZone), legend, 'The runs as a table (newest first)', numbers),
  };
}
