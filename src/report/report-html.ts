// report.html: a self-contained page (no network, inline CSS) for the person who asks at 08:00
// "did last night work?". Everything shown comes from the report, which holds no secret and no full
// phone number.
import type { RunReport } from './report-schema.ts';

const escape = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

function table(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p class="none">None.</p>';
  const head = headers.map((header) => `<th>${escape(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const STATUS_COLOURS: Record<RunReport['status'], string> = {
  succeeded: '#1b7f3b',
  'dry-run': '#35609c',
  skipped: '#5b6470',
  partial: '#a86400',
  refused: '#b3261e',
  failed: '#b3261e',
};

export function renderReportHtml(report: RunReport): string {
  const { members, events, rows } = report;
  const sections = [
    `<header style="background:${STATUS_COLOURS[report.status]}"><h1>${escape(report.status)}</h1>
      <p>Run ${escape(report.runId)} · ${escape(report.startedAt)} → ${escape(report.finishedAt)} · ${(report.durationsMs.total / 1000).toFixed(1)} s</p>
      ${report.error ? `<p><strong>${escape(report.error.code)}</strong>: ${escape(report.error.message)}</p>` : ''}</header>`,
    `<section><h2>Members</h2>${table(
      ['total', 'new', 'changed', 'unchanged', 'deleted', 'failed', 'untouched (rejected rows)'],
      [[members.total, members.new, members.changed, members.unchanged, members.deleted, members.failed, members.untouched]],
    )}</section>`,
    `<section><h2>Events</h2>${table(
      ['planned', 'accepted', 'failed', 'retries', 'from an earlier run'],
      [[events.planned, events.accepted, events.failed, events.retries, events.drained]],
    )}${table(
      ['action', 'planned', 'accepted'],
      Object.keys({ ...events.plannedByAction, ...events.byAction }).map((action) => [
        action,
        events.plannedByAction[action as keyof typeof events.plannedByAction] ?? 0,
        events.byAction[action as keyof typeof events.byAction] ?? 0,
      ]),
    )}</section>`,
    `<section><h2>Failures</h2>${table(
      ['contact', 'action', 'status', 'code', 'detail'],
      report.failures.map((failure) => [failure.contactId, failure.action, failure.status ?? '', failure.code, failure.detail]),
    )}${report.failuresNotListed > 0 ? `<p>…and ${report.failuresNotListed} more (see report.json).</p>` : ''}</section>`,
    `<section><h2>Rejected rows: ${rows.rejected} of ${rows.read}</h2>${table(
      ['reason', 'rows', 'first examples (file:line)'],
      report.rejects.byReason.map((entry) => [entry.reason, entry.count, entry.examples.join(', ')]),
    )}${report.rejects.file ? `<p>Every rejected row: <a href="rejects.csv">rejects.csv</a></p>` : ''}</section>`,
    `<section><h2>Source</h2><p>${escape(report.source.description)}${report.source.asOf ? ` · as of ${escape(report.source.asOf)} (${escape(report.source.asOfFrom)})` : ''}</p>${table(
      ['file', 'kind', 'rows', 'rejected', 'bytes', 'encoding', 'sha256', 'moved to'],
      report.source.files.map((file) => [file.name, file.kind, file.rows, file.rejected, file.bytes, file.encoding, file.sha256.slice(0, 12), file.movedTo ?? '']),
    )}</section>`,
    report.warnings.length > 0 ? `<section><h2>Warnings</h2><ul>${report.warnings.map((warning) => `<li>${escape(warning)}</li>`).join('')}</ul></section>` : '',
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>loyalty-sync ${escape(report.runId)}: ${escape(report.status)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{color:#fff;padding:16px 20px}header h1{margin:0;text-transform:uppercase;font-size:22px}
section{background:#fff;margin:12px;padding:12px 16px;border-radius:8px;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}
.none{color:#5b6470}
</style></head><body>
${sections.join('\n')}
</body></html>
`;
}
