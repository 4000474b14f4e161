// report.html loads nothing from anywhere, runs no script, shows hostile text as text, and never shows a
// full phone number, not even one the API echoed in a problem detail.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/report-html.ts';
import { readReportHtml } from './fixtures/report-html-reader.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { PLANTED_PHONE, syntheticHistory, syntheticReport } from './fixtures/synthetic-report.ts';

let situations: Situations;
beforeAll(async () => {
  situations = await runSituations();
});
afterAll(() => situations?.close());

/** Anything that looks like an E.164 number, written compactly or with separators. */
const FULL_PHONE = /\+\(?\d(?:[\s\-().]{0,2}\d){6,14}/;

/** Where in `html` the pattern occurs, with some context (a short failure message instead of the page). */
function occurrence(html: string, pattern: RegExp | string): string | undefined {
  const index = typeof pattern === 'string' ? html.indexOf(pattern) : html.search(pattern);
  return index < 0 ? undefined : html.slice(Math.max(0, index - 60), index + 60);
}

describe('report.html is self-contained', () => {
  it('references no other origin: every src and href stays on the page or beside it', () => {
    for (const html of [renderReportHtml(syntheticReport(), syntheticHistory(40)), renderReportHtml(situations.partial.report, situations.history)]) {
      const { root } = readReportHtml(html);
      const references = root
        .querySelectorAll('*')
        .flatMap((element) => Object.entries(element.attributes).filter(([name]) => /^(src|href|srcset|action|xlink:href|poster|data)$/i.test(name)).map(([, value]) => value));
      expect(references.length).toBeGreaterThan(10);
      for (const reference of references) expect(reference, reference).toMatch(/^(#[\w-]+|[\w.-]+\.(csv|json))$/);
      expect(occurrence(html, /https?:\/\//)).toBeUndefined();
      expect(root.querySelectorAll('script, link, img, iframe, object, embed, base, meta[http-equiv]')).toHaveLength(0);
      expect(root.querySelector('style')!.text).not.toMatch(/url\(|@import/);
    }
  });

  it('shows hostile text as text, never as markup', () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const report = syntheticReport({
      warnings: [hostile],
      failures: [{ contactId: hostile, action: 'benefits.member.updated', status: 400, code: 'API_REJECTED', detail: hostile }],
      failuresNotListed: 0,
      error: { code: 'CSV_INVALID_ROW', message: hostile },
    });
    const html = renderReportHtml(report, [{ runId: hostile, startedAt: '2026-11-24T02:00:00.000Z', status: 'failed' }]);
    const page = readReportHtml(html);
    expect(page.root.querySelectorAll('script, img')).toHaveLength(0);
    expect(occurrence(html, '<script')).toBeUndefined();
    expect(page.section('warnings').querySelector('li')!.text).toBe(hostile);
    expect(page.table('failures')![0]).toMatchObject({ contact: hostile, detail: hostile });
    expect(page.section('error').text).toContain(hostile);
    expect(page.section('trend').querySelector('g.run')!.getAttribute('data-run')).toBe(hostile);
  });
});

describe('report.html masks phone numbers', () => {
  it('masks the phone numbers an API echoed in the failures of a real run', () => {
    const { report } = situations.partial;
    const details = report.failures.map((failure) => failure.detail).join('\n');
    // The run masks what the API echoed before it keeps it (report.json, logs, outbox)...
    expect(details).not.toMatch(FULL_PHONE);
    expect(details).toMatch(/phoneNumber \+\d{2}\*{6,}\d{2}/);
    const html = renderReportHtml(report, situations.history);
    // ...the page shows none of them.
    expect(occurrence(html, FULL_PHONE)).toBeUndefined();
    const shown = readReportHtml(html).table('failures')!.map((row) => row.detail);
    for (const [index, contactId] of situations.refusedContacts.entries()) {
      expect(shown[index]).toMatch(new RegExp(`phoneNumber \\+\\d{2}\\*{6,}\\d{2} of contact ${contactId}`));
    }
  });

  it('masks a number planted in a failure detail, a warning, an error and a reject reason, however it is written', () => {
    const spaced = '+47 412 34 567';
    const report = syntheticReport({
      warnings: [`member with ${spaced} skipped`],
      error: { code: 'API_REJECTED', message: `refused (${PLANTED_PHONE})` },
      rejects: { byReason: [{ reason: 'phone_number: +(47) 412-34-567 or +47 (0)412 34 567', count: 1, examples: ['members.csv:2'] }] },
    });
    const html = renderReportHtml(report, syntheticHistory(3));
    expect(occurrence(html, FULL_PHONE)).toBeUndefined();
    expect(occurrence(html, '41234567')).toBeUndefined();
    expect(occurrence(html, '412 34 567')).toBeUndefined();
    expect(readReportHtml(html).table('failures')![0]!.detail).toContain('+47******67');
    expect(readReportHtml(html).section('warnings').text).toContain('+47******67');
  });

  it('leaves what only resembles a number alone: run ids, event ids, times, hashes', () => {
    const { report } = situations.succeeded;
    const page = readReportHtml(renderReportHtml(report, situations.history));
    expect(page.section('status').text).toContain(report.runId);
    const firstSample = Object.values(report.plannedSample)[0]![0]!;
    expect(page.section('planned').text).toContain(firstSample.eventId);
    expect(page.section('sources').text).toContain(report.source.files[0]!.sha256.slice(0, 12));
  });

  it('the report file the job writes beside report.json holds no full phone number either', () => {
    // The page the job itself wrote (through write-report.ts) for the partial run.
    const html = readFileSync(situations.partial.reportPath.replace(/report\.json$/, 'report.html'), 'utf8');
    expect(occurrence(html, FULL_PHONE)).toBeUndefined();
  });
});
