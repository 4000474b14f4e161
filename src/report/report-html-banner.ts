// The top of report.html: the run's status in its colour and one sentence on what it means, so the
// question "did last night work?" is answered before any scrolling; then the run's key facts.
import { formatCount, formatDuration, formatTime } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';
import type { RunReport } from '../base/report-schema.ts';
import { factList, plural } from './report-html-blocks.ts';
import { STATUS_COLOURS, UNTOUCHED_BANNER_COLOUR } from './status-colours.ts';
import { statusText } from './summary-line.ts';

function verdict(report: RunReport): string {
  const { events, members } = report;
  const changedMembers = members.new + members.changed + members.deleted;
  switch (report.status) {
    case 'succeeded': {
      const sent =
        events.planned + events.drained === 0
          ? 'Nothing had changed, so nothing was sent.'
          : `All ${plural(events.accepted, 'event')} for ${plural(changedMembers, 'changed member')} were accepted.`;
      return members.untouched > 0 ? `${sent} ${plural(members.untouched, 'member was', 'members were')} left untouched: "Untouched members" says who and why.` : sent;
    }
    case 'partial':
      return `${plural(members.failed, 'member')} could not be delivered (${plural(events.failed, 'event')} not accepted); the next run plans them again. ${formatCount(events.accepted)} events were accepted.`;
    case 'failed':
      return 'The run did not finish. Events the API accepted were committed; the next run picks up the rest.';
    case 'refused':
      return 'A safety guard refused this export, so nothing was sent. Check the export; if it is right, run again with the override the error names.';
    case 'skipped':
      return 'There was no new export, so there was nothing to do.';
    case 'dry-run':
      return `Dry run: ${plural(events.planned, 'event')} planned for ${plural(changedMembers, 'member')}; nothing was sent or committed.`;
  }
}

export function banner(report: RunReport, timeZone: string): string {
  const chips = [
    report.options.dryRun && report.status !== 'dry-run' ? 'dry run' : '',
    report.options.full ? 'full backfill' : '',
    report.options.shard ? `shard ${report.options.shard}` : '',
    report.options.allowMassDelete ? 'guards overridden (--allow-mass-delete)' : '',
  ].filter(Boolean);
  const notes = [
    report.rows.rejected > 0 ? `${plural(report.rows.rejected, 'row')} rejected` : '',
    report.warnings.length > 0 ? plural(report.warnings.length, 'warning') : '',
  ].filter(Boolean);
  const facts: [string, string][] = [
    ['Run', report.runId],
    ['Started', formatTime(report.startedAt, timeZone)],
    ['Finished', formatTime(report.finishedAt, timeZone)],
    ['Duration', formatDuration(report.durationsMs.total)],
    ['Exit code', String(report.exitCode)],
  ];
  if (report.source.exportId) facts.push(['Export', report.source.exportId]);
  const colour = report.status === 'succeeded' && report.members.untouched > 0 ? UNTOUCHED_BANNER_COLOUR : STATUS_COLOURS[report.status];
  return `<header id="status" class="banner" data-status="${escapeHtml(report.status)}" style="background:${colour}">
<p class="status">${escapeHtml(statusText(report))}</p>
<p class="verdict">${escapeHtml(verdict(report))}${notes.length > 0 ? ` <strong>${escapeHtml(notes.join(', '))}.</strong>` : ''}</p>
${chips.length > 0 ? `<p>${chips.map((chip) => `<span class="chip">${escapeHtml(chip)}</span>`).join(' ')}</p>` : ''}
${factList(facts)}
${report.error ? `<div class="error" id="error"><strong>${escapeHtml(report.error.code)}</strong> ${escapeHtml(report.error.message)}</div>` : ''}
</header>`;
}
