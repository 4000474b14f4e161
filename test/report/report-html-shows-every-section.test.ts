// report.html, read back like a person reads it: for real runs in every situation (succeeded, dry run,
// partial with failures, refused by a guard, many rejected rows), every section is there and shows the
// report's numbers.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/report-html.ts';
import type { RunReport } from '../../src/base/report-schema.ts';
import type { RunRecord } from '../../src/state/runs.ts';
import { numberIn, readReportHtml } from './fixtures/report-html-reader.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { syntheticHistory, syntheticReport } from './fixtures/synthetic-report.ts';

const SECTIONS = ['members', 'events', 'failures', 'untouched', 'rejects', 'warnings', 'delivery', 'answers', 'sources', 'trend', 'planned'];

let situations: Situations;
beforeAll(async () => {
  situations = await runSituations();
});
afterAll(() => situations?.close());

/** Milliseconds from a latency tile: "85 ms" or "1.5 s". */
const latencyIn = (text: string) => (text.endsWith(' s') ? numberIn(text) * 1000 : numberIn(text));

/** Checks every section of the page against the report it was rendered from. */
function expectPageShows(html: string, report: RunReport, history: readonly RunRecord[]) {
  const page = readReportHtml(html);
  // A dry run shows its planned events right after the events; otherwise they come last.
  const order = report.status === 'dry-run' ? [...SECTIONS.slice(0, 2), 'planned', ...SECTIONS.slice(2, -1)] : SECTIONS;
  expect(page.sectionIds()).toEqual(order);
  for (const id of SECTIONS) expect(page.root.querySelector(`nav a[href="#${id}"]`), `nav link to #${id}`).not.toBeNull();

  // Banner
  const banner = page.section('status');
  expect(banner.getAttribute('data-status')).toBe(report.status);
  const untouched = report.members.untouched;
  expect(banner.querySelector('.status')!.text).toBe(report.status === 'succeeded' && untouched > 0 ? `succeeded, ${untouched} member${untouched === 1 ? '' : 's'} left untouched` : report.status);
  const facts = Object.fromEntries(banner.querySelectorAll('.facts div').map((div) => [div.querySelector('dt')!.text, div.querySelector('dd')!.text]));
  expect(facts).toMatchObject({ Run: report.runId, 'Exit code': String(report.exitCode) });
  if (report.error) {
    expect(page.section('error').text).toContain(report.error.code);
    expect(page.section('error').text).toContain(report.error.message);
  } else expect(page.root.querySelector('#error')).toBeNull();

  // Members and events
  expect(page.tiles('members')).toEqual(Object.fromEntries(Object.entries(report.members).map(([key, n]) => [key, String(n)])));
  const { planned, accepted, failed, retries, drained } = report.events;
  expect(page.tiles('events')).toEqual({ planned: String(planned), accepted: String(accepted), failed: String(failed), retries: String(retries), drained: String(drained) });
  const actions = new Set([...Object.keys(report.events.plannedByAction), ...Object.keys(report.events.byAction)]);
  const byAction = page.table('events-by-action') ?? [];
  expect(byAction).toHaveLength(actions.size);
  const codes = page.section('events').querySelectorAll('table code');
  codes.forEach((code, index) => {
    const action = code.getAttribute('title') as keyof RunReport['events']['byAction'];
    expect(numberIn(byAction[index]!.planned)).toBe(report.events.plannedByAction[action] ?? 0);
    expect(numberIn(byAction[index]!.accepted)).toBe(report.events.byAction[action] ?? 0);
    expect(numberIn(byAction[index]!.failed)).toBe(report.failures.filter((failure) => failure.action === action).length);
  });

  // Members: the parts add up to the total
  const { total: members, ...parts } = report.members;
  expect(Object.values(parts).reduce((sum, n) => sum + n, 0)).toBe(members);

  // Untouched members, by id, with where and why
  expect((page.table('untouched') ?? []).map((row) => [row.contact, row.where, row.why])).toEqual(
    report.untouched.slice(0, 200).map((member) => [member.contactId, member.file ? (member.line === undefined ? member.file : `${member.file}:${member.line}`) : '—', member.reason]),
  );
  expect(numberIn(page.root.querySelector('nav a[href="#untouched"] .badge')?.text ?? '0')).toBe(untouched);

  // Failures: the first 50, then how many more
  const failures = page.table('failures');
  const total = report.failures.length + report.failuresNotListed;
  if (total === 0) expect(failures).toBeUndefined();
  else {
    expect(failures!.map((row) => row.contact)).toEqual(report.failures.slice(0, 50).map((failure) => failure.contactId));
    expect(failures!.map((row) => row.code)).toEqual(report.failures.slice(0, 50).map((failure) => failure.code));
    const more = page.section('failures').querySelector('.more');
    if (total > 50) expect(Number(more!.getAttribute('data-more'))).toBe(total - 50);
    else expect(more).toBeNull();
  }
  expect(numberIn(page.root.querySelector('nav a[href="#failures"] .badge')?.text ?? '0')).toBe(total);

  // Rejected rows by reason, with the first examples and the link to every one
  expect(page.section('rejects').querySelector('p')!.text).toContain(`${report.rows.rejected.toLocaleString('en-GB')} of ${report.rows.read.toLocaleString('en-GB')}`);
  expect(page.table('rejects') ?? []).toEqual(
    report.rejects.byReason.map((entry) => ({ reason: entry.reason, rows: entry.count.toLocaleString('en-GB'), 'first examples (file:line)': entry.examples.join(' ') })),
  );
  const link = page.section('rejects').querySelector('a');
  expect(link?.getAttribute('href')).toBe(report.rejects.file);

  // Warnings
  expect(page.section('warnings').querySelectorAll('li').map((li) => li.text)).toEqual(report.warnings);

  // Send rate, concurrency limit (429s marked) and latency
  const delivery = page.tiles('delivery');
  // From a second on, a latency is shown to a tenth of a second (e.g. "2.3 s" for 2,348 ms).
  const shown = (ms: number) => (ms < 1000 ? ms : Math.round(ms / 100) * 100);
  expect([latencyIn(delivery.p50!), latencyIn(delivery.p95!), latencyIn(delivery.max!)]).toEqual([report.delivery.latencyMs.p50, report.delivery.latencyMs.p95, report.delivery.latencyMs.max].map(shown));
  const timeline = report.delivery.timeline;
  expect(page.section('delivery').querySelectorAll('svg.chart > g')).toHaveLength(timeline.length);
  expect(
    (page.table('timeline') ?? []).map((row) => [numberIn(row.from), numberIn(row.accepted), numberIn(row['not accepted']), numberIn(row['429']), row.limit === '—' ? undefined : numberIn(row.limit), numberIn(row['p50 ms']), numberIn(row['p95 ms'])]),
  ).toEqual(timeline.map((slice) => [slice.atSeconds, slice.accepted, slice.failed, slice.rateLimited ?? 0, slice.limit, slice.p50Ms, slice.p95Ms]));
  const marks = page.section('delivery').querySelectorAll('svg.chart path.rate-limited');
  expect(marks.map((mark) => numberIn(mark.querySelector('title')!.text.split(': ')[1]!))).toEqual(timeline.filter((slice) => slice.rateLimited).map((slice) => slice.rateLimited));
  const limitLine = page.section('delivery').querySelector('svg.chart path.limit')?.getAttribute('d') ?? '';
  expect(limitLine.length > 0).toBe(timeline.some((slice) => slice.limit !== undefined && slice.accepted + slice.failed > 0));
  const toCome = page.section('delivery').querySelector('p.to-come')?.text;
  if (report.waiting) expect(toCome).toContain(`${report.waiting.members.toLocaleString('en-GB')} members with ${report.waiting.events.toLocaleString('en-GB')} events wait`);
  if (report.sendEstimate) expect(toCome).toContain(`${report.sendEstimate.events.toLocaleString('en-GB')} events ≈`);

  // Retries and answers by status code
  expect(page.tiles('answers')).toMatchObject({ attempts: String(report.delivery.attempts), retries: String(report.events.retries) });
  expect(Object.fromEntries((page.table('answers') ?? []).map((row) => [row.status, numberIn(row.answers)]))).toEqual(report.delivery.byStatus);

  // Source files
  expect(
    (page.table('files') ?? []).map((row) => [row.file, row.kind, numberIn(row.rows), numberIn(row.rejected), row.sha256, row['moved to']]),
  ).toEqual(report.source.files.map((file) => [file.name, file.kind, file.rows, file.rejected, file.sha256.slice(0, 12), file.movedTo ?? '—']));
  expect(page.section('sources').text).toContain(report.source.description);

  // Trend: the earlier runs, then this one
  const columns = page.section('trend').querySelectorAll('svg.trend g.run');
  const earlier = history.filter((run) => run.runId !== report.runId && run.startedAt <= report.startedAt);
  expect(columns).toHaveLength(Math.min(earlier.length, 29) + 1);
  expect(columns.at(-1)!.getAttribute('data-run')).toBe(report.runId);
  expect(columns.at(-1)!.classList.contains('current')).toBe(true);

  // Planned sample
  for (const [action, sample] of Object.entries(report.plannedSample)) {
    const items = page.root.querySelectorAll(`ul.sample[data-action="${action}"] li`);
    expect(items.map((li) => li.text)).toEqual(sample.map((event) => `${event.contactId} ${event.eventId}`));
  }
  return page;
}

describe('report.html shows every section with the numbers of the report', () => {
  it('for a run that succeeded', () => {
    const { report } = situations.succeeded;
    const page = expectPageShows(renderReportHtml(report, situations.history), report, situations.history);
    expect(report.status).toBe('succeeded');
    expect(page.section('status').querySelector('.verdict')!.text).toContain(`All ${report.events.accepted} events`);
    expect(page.section('failures').text).toContain('None');
  });

  it('for a dry run, with the planned sample open', () => {
    const { report } = situations.dryRun;
    const page = expectPageShows(renderReportHtml(report, situations.history), report, situations.history);
    expect(report.status).toBe('dry-run');
    expect(Object.keys(report.plannedSample).length).toBeGreaterThan(3);
    expect(page.section('planned').querySelector('details')!.hasAttribute('open')).toBe(true);
    expect(page.section('delivery').text).toContain('Nothing was sent');
  });

  it('for a partial run, listing the members the API refused', () => {
    const { report } = situations.partial;
    const page = expectPageShows(renderReportHtml(report, situations.history), report, situations.history);
    expect(report.status).toBe('partial');
    expect(page.table('failures')!.map((row) => row.contact)).toEqual(situations.refusedContacts);
    expect(page.table('answers')!.find((row) => row.status === '400')?.answers).toBe(String(situations.refusedContacts.length));
    expect(page.section('planned').querySelector('details')!.hasAttribute('open')).toBe(false);
  });

  it('for a run a guard refused, with its error', () => {
    const { report } = situations.refused;
    const page = expectPageShows(renderReportHtml(report, situations.history), report, situations.history);
    expect(report.error?.code).toBe('GUARD_TRUNCATED_FILE');
    expect(page.section('status').querySelector('.verdict')!.text).toContain('nothing was sent');
    // The trend of the state file: its four runs, oldest first, this one last.
    const statuses = page.section('trend').querySelectorAll('g.run').map((run) => run.getAttribute('data-status'));
    expect(statuses).toEqual(['succeeded', 'dry-run', 'partial', 'refused']);
  });

  it('for an export with many rejected rows, linking rejects.csv beside the report', () => {
    const { report, reportPath } = situations.manyRejects;
    const page = expectPageShows(renderReportHtml(report, []), report, []);
    expect(report.rows.rejected).toBeGreaterThan(50);
    expect(report.rejects.byReason.length).toBeGreaterThan(3);
    const href = page.section('rejects').querySelector('a')!.getAttribute('href')!;
    expect(existsSync(join(dirname(reportPath), href))).toBe(true);
  });

  it('for a long partial run with more failures than it lists, retries, set-aside exports and warnings', () => {
    const report = syntheticReport();
    const history = syntheticHistory(40);
    const page = expectPageShows(renderReportHtml(report, history), report, history);
    expect(page.table('failures')).toHaveLength(50);
    expect(page.table('superseded')!.map((row) => row.export)).toEqual(['club-20261124']);
    expect(page.section('status').querySelectorAll('.chip').map((chip) => chip.text)).toEqual(['full backfill', 'shard 1/4']);
  });

  it('for a run that found no export', () => {
    const report = syntheticReport({
      status: 'skipped',
      exitCode: 0,
      source: { description: '/srv/drop', files: [] },
      members: { total: 0, new: 0, changed: 0, unchanged: 0, deleted: 0, failed: 0, untouched: 0 },
      rows: { read: 0, rejected: 0 },
      events: { planned: 0, accepted: 0, failed: 0, retries: 0, drained: 0, byAction: {}, plannedByAction: {} },
      failures: [],
      failuresNotListed: 0,
      untouched: [],
      rejects: { byReason: [] },
      warnings: [],
      delivery: { attempts: 0, byStatus: {}, latencyMs: { p50: 0, p95: 0, max: 0 }, timeline: [] },
      plannedSample: {},
    });
    const page = expectPageShows(renderReportHtml(report), report, []);
    expect(page.section('status').querySelector('.verdict')!.text).toContain('no new export');
    expect(page.section('sources').text).toContain('No file was read');
  });
});
