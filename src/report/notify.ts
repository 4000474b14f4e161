// The notification after a run (by default one that did not succeed): a JSON POST to a webhook. `text`
// is one line a person reads in Slack (or Mattermost, Teams workflows, Google Chat: all read `text`);
// the other fields carry the key numbers for whatever automation sits behind the URL.
import { redactStrings } from '../privacy/redact.ts';
import { DEFAULT_OUTBOUND_TIMEOUT_MS, sendOutbound } from './outbound-request.ts';
import type { RunReport } from '../base/report-schema.ts';
import { summaryLine } from './summary-line.ts';

export interface WebhookPayload {
  text: string;
  runId: string;
  status: RunReport['status'];
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  members: RunReport['members'];
  events: { planned: number; accepted: number; failed: number; retries: number; drained: number };
  rows: RunReport['rows'];
  /** Members not delivered (listed in the report, and beyond the list). */
  failures: number;
  failuresByCode: Record<string, number>;
  warnings: number;
  error?: RunReport['error'];
  reportPath: string;
}

/** Built from the report with its strings redacted (src/privacy/): a chat channel is an output too. */
export function webhookPayload(unredacted: RunReport, reportPath: string): WebhookPayload {
  const report = redactStrings(unredacted);
  const failuresByCode: Record<string, number> = {};
  for (const failure of report.failures) failuresByCode[failure.code] = (failuresByCode[failure.code] ?? 0) + 1;
  const codes = Object.entries(failuresByCode).map(([code, n]) => `${code} ×${n}`);
  const { planned, accepted, failed, retries, drained } = report.events;
  const line = `${summaryLine(report, reportPath)}${codes.length > 0 ? ` · failures: ${codes.join(', ')}` : ''}`;
  return {
    text: escapeSlackText(line),
    runId: report.runId,
    status: report.status,
    exitCode: report.exitCode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationSeconds: report.durationsMs.total / 1000,
    members: report.members,
    events: { planned, accepted, failed, retries, drained },
    rows: report.rows,
    failures: report.failures.length + report.failuresNotListed,
    failuresByCode,
    warnings: report.warnings.length,
    ...(report.error && { error: report.error }),
    reportPath,
  };
}

export async function notifyWebhook(url: string, report: RunReport, reportPath: string, options: { timeoutMs?: number } = {}): Promise<void> {
  await sendOutbound({
    code: 'NOTIFY_FAILED',
    what: 'Webhook notification',
    url,
    showPath: false,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(webhookPayload(report, reportPath)),
    timeoutMs: options.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS,
  });
}

/**
 * Slack reads &, < and > in `text` as markup: `<!channel>` in an error message taken from an export
 * would page a whole channel. Those three are escaped, as Slack asks; nothing else is.
 */
function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
