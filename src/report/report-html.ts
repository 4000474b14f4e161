// report.html: one self-contained page (inline CSS and SVG; no script, no network) for the person who
// asks at 08:00 "did last night work, and what happened?". Built only from the report and the runs
// table. Every value is escaped, and every string of the report is redacted first (src/privacy/): free
// text from the API or an export must not smuggle a secret or a full phone number onto the page.
// This file lays out the page; the banner and the sections are built in report-html-*.ts.
import { redactStrings } from '../privacy/redact.ts';
import type { RunRecord } from '../state/runs.ts';
import { formatCount } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { trendRuns } from './run-trend.ts';
import { REPORT_STYLE } from './report-html-style.ts';
import { banner } from './report-html-banner.ts';
import type { ReportSection } from './report-html-blocks.ts';
import { eventsSection, membersSection, plannedSampleSection } from './report-html-change-sections.ts';
import { sourcesSection, trendSection } from './report-html-context-sections.ts';
import { failuresSection, rejectsSection, untouchedSection, warningsSection } from './report-html-problem-sections.ts';
import { answersSection, deliverySection } from './report-html-sending-sections.ts';

export interface ReportHtmlOptions {
  /** IANA time zone for the times shown (the job's --time-zone); default UTC. */
  timeZone?: string;
  /** Failures listed on the page (report.json keeps more). */
  failuresShown?: number;
  /** Untouched members listed on the page (report.json keeps more). */
  untouchedShown?: number;
}

const DEFAULT_FAILURES_SHOWN = 50;
const DEFAULT_UNTOUCHED_SHOWN = 200;

/**
 * @param history earlier runs from the state file (`runs.recent(30)`, any order); this run is taken
 *   from `report` whether or not `history` holds it.
 */
export function renderReportHtml(unredacted: RunReport, history: readonly RunRecord[] = [], options: ReportHtmlOptions = {}): string {
  const report = redactStrings(unredacted);
  const timeZone = options.timeZone ?? 'UTC';
  const trend = trendRuns(report, history);
  const planned = plannedSampleSection(report);
  const sections: ReportSection[] = [
    membersSection(report),
    eventsSection(report),
    // A dry run is read for its plan: the sample comes right after the counts.
    ...(report.status === 'dry-run' ? [planned] : []),
    failuresSection(report, options.failuresShown ?? DEFAULT_FAILURES_SHOWN),
    untouchedSection(report, options.untouchedShown ?? DEFAULT_UNTOUCHED_SHOWN),
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
  return `<!doctype html>
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
}
