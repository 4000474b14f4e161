// The trend at the bottom of report.html: the last 30 runs from the state file, oldest left and this run
// last, each in its status colour, with its numbers; runs that never finished still show.
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/report-html.ts';
import { trendRuns } from '../../src/report/run-trend.ts';
import { STATUS_COLOURS } from '../../src/report/status-colours.ts';
import { numberIn, readReportHtml } from './fixtures/report-html-reader.ts';
import { syntheticHistory, syntheticReport } from './fixtures/synthetic-report.ts';

const columnsOf = (html: string) =>
  readReportHtml(html)
    .section('trend')
    .querySelectorAll('svg.trend g.run')
    .map((column) => ({
      runId: column.getAttribute('data-run')!,
      status: column.getAttribute('data-status')!,
      colour: column.querySelector('rect[rx]')!.getAttribute('fill')!,
      current: column.classList.contains('current'),
    }));

describe('the trend of the last runs', () => {
  const report = syntheticReport();
  const history = syntheticHistory(40);

  it('shows the 29 newest earlier runs, oldest first, then this run', () => {
    const columns = columnsOf(renderReportHtml(report, history));
    const expected = [...history].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(-29);
    expect(columns.map((column) => column.runId)).toEqual([...expected.map((run) => run.runId), report.runId]);
    expect(columns.filter((column) => column.current).map((column) => column.runId)).toEqual([report.runId]);
  });

  it('does not depend on the order the history comes in', () => {
    const shuffled = [...history].sort((a, b) => a.runId.split('').reverse().join('').localeCompare(b.runId.split('').reverse().join('')));
    expect(columnsOf(renderReportHtml(report, shuffled))).toEqual(columnsOf(renderReportHtml(report, history)));
    expect(columnsOf(renderReportHtml(report, [...history].reverse()))).toEqual(columnsOf(renderReportHtml(report, history)));
  });

  it('colours each run by its status, and shows a run that never finished', () => {
    const columns = columnsOf(renderReportHtml(report, history));
    for (const column of columns) expect(column.colour).toBe(STATUS_COLOURS[column.status as keyof typeof STATUS_COLOURS]);
    expect(new Set(columns.map((column) => column.status))).toEqual(new Set(['succeeded', 'partial', 'failed', 'refused', 'dry-run', 'skipped', 'running']));
    const page = readReportHtml(renderReportHtml(report, history));
    const unfinished = page.table('trend')!.find((row) => row.status === 'never finished')!;
    expect(unfinished).toMatchObject({ 'events accepted': '—', duration: '—' });
  });

  it('lists each run with its numbers, newest first', () => {
    const rows = readReportHtml(renderReportHtml(report, history)).table('trend')!;
    const runs = trendRuns(report, history).reverse();
    expect(rows).toHaveLength(30);
    expect(rows[0]!.run).toBe(`${report.runId} (this run)`);
    rows.forEach((row, index) => {
      const run = runs[index]!;
      expect(row.run!.startsWith(run.runId)).toBe(true);
      if (run.eventsAccepted === undefined) return;
      expect([numberIn(row['events accepted']), numberIn(row['not accepted']), numberIn(row['members changed']), numberIn(row['rows rejected'])]).toEqual([
        run.eventsAccepted,
        run.eventsFailed,
        run.membersChanged,
        run.rowsRejected,
      ]);
    });
    const newest = history[0]!.summary!;
    expect(runs[1]).toMatchObject({
      eventsAccepted: newest.events.accepted,
      membersChanged: newest.members.new + newest.members.changed + newest.members.deleted,
      durationMs: newest.durationsMs.total,
    });
  });

  it('takes this run from its report even when the runs table still says it is running', () => {
    const stillRunning = [{ runId: report.runId, startedAt: report.startedAt, status: 'running' as const }, ...history];
    const columns = columnsOf(renderReportHtml(report, stillRunning));
    expect(columns).toHaveLength(30);
    expect(columns.at(-1)).toMatchObject({ runId: report.runId, status: 'partial', current: true });
    expect(columns.filter((column) => column.runId === report.runId)).toHaveLength(1);
  });

  it('leaves out runs that started after this one (an older report rendered again)', () => {
    const later = { ...history[0]!, runId: 'later-run', startedAt: '2026-11-26T02:00:00.000Z' };
    const columns = columnsOf(renderReportHtml(report, [later, ...history]));
    expect(columns.map((column) => column.runId)).not.toContain('later-run');
    expect(columns.at(-1)!.runId).toBe(report.runId);
  });

  it('shows this run alone when there is no history', () => {
    const columns = columnsOf(renderReportHtml(report, []));
    expect(columns).toEqual([{ runId: report.runId, status: 'partial', colour: STATUS_COLOURS.partial, current: true }]);
  });
});
