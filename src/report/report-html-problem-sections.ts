// The sections of report.html on what needs a look: events the API did not accept, rows rejected from
// the export, and warnings. Each carries its count, so the nav shows at once whether there is any.
import { formatCount } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { actionName, plural, raw, table, type ReportSection } from './report-html-blocks.ts';

export function failuresSection(report: RunReport, shown: number): ReportSection {
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

export function untouchedSection(report: RunReport, shown: number): ReportSection {
  const total = report.members.untouched;
  const listed = report.untouched.slice(0, shown);
  const more = total - listed.length;
  const body =
    total === 0
      ? '<p class="none">None: no member was held back.</p>'
      : `<p>${plural(total, 'member was', 'members were')} left exactly as ${total === 1 ? 'it was' : 'they were'}: nothing sent for ${total === 1 ? 'it' : 'them'}, not even a delete. ` +
        `The next export without the problem syncs ${total === 1 ? 'it' : 'them'}.</p>` +
        table(
          'untouched',
          ['contact', 'where', 'column', 'why'],
          listed.map((member) => [
            member.contactId,
            member.file ? raw(`<code>${escapeHtml(member.line === undefined ? member.file : `${member.file}:${member.line}`)}</code>`) : '—',
            member.column || '—',
            member.reason,
          ]),
        ) +
        (more > 0 ? `<p class="more" data-more="${more}">…and ${plural(more, 'more member')}${report.untouchedNotListed > 0 ? ` (report.json lists the first ${formatCount(report.untouched.length)})` : ' in report.json'}.</p>` : '');
  return { id: 'untouched', title: 'Untouched members', count: total, body };
}

export function rejectsSection(report: RunReport): ReportSection {
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

export function warningsSection(report: RunReport): ReportSection {
  const body =
    report.warnings.length === 0 ? '<p class="none">None.</p>' : `<ul class="warnings">${report.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`;
  return { id: 'warnings', title: 'Warnings', count: report.warnings.length, body };
}
