// The notification webhook, against a real HTTP server on a loopback port: a JSON POST with one line of
// Slack-compatible text and the key numbers; a clear error on an answer other than 2xx, without the
// secret part of the webhook URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyWebhook, webhookPayload } from '../../src/report/notify.ts';
import { captureServer, outboundRejection } from './fixtures/capture-server.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { PLANTED_PHONE, syntheticReport } from './fixtures/synthetic-report.ts';

let situations: Situations;
beforeAll(async () => {
  situations = await runSituations();
});
afterAll(() => situations?.close());

const SECRET_PATH = '/services/T0000/B0000/XXXXsecretXXXX';

describe('notifyWebhook', () => {
  it('POSTs JSON with one line of text and the key numbers of a partial run', async () => {
    const receiver = await captureServer(() => ({ status: 200, body: 'ok' }));
    const { report, reportPath } = situations.partial;
    await notifyWebhook(`${receiver.url}${SECRET_PATH}`, report, reportPath);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request).toMatchObject({ method: 'POST', url: SECRET_PATH });
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      runId: report.runId,
      status: 'partial',
      exitCode: 3,
      members: report.members,
      events: { planned: report.events.planned, accepted: report.events.accepted, failed: report.events.failed, retries: 0, drained: 0 },
      rows: report.rows,
      failures: 2,
      failuresByCode: { API_REJECTED: 2 },
      warnings: 0,
      reportPath,
    });
    const text = body.text as string;
    expect(text).not.toContain('\n');
    expect(text).toContain(`loyalty-sync ${report.runId}: partial`);
    expect(text).toContain(`${report.events.accepted}/${report.events.planned} events accepted, ${report.events.failed} failed`);
    expect(text).toContain('failures: API_REJECTED ×2');
    expect(text).toContain(`report ${reportPath}`);
  });

  it('names the error of a refused run in the text and in its own field', async () => {
    const receiver = await captureServer();
    const { report, reportPath } = situations.refused;
    await notifyWebhook(receiver.url, report, reportPath);
    const body = JSON.parse(receiver.requests[0]!.body) as { text: string; error: { code: string } };
    expect(body.error.code).toBe('GUARD_TRUNCATED_FILE');
    expect(body.text).toContain(`: refused · GUARD_TRUNCATED_FILE: ${report.error!.message}`);
  });

  it('escapes Slack markup in text taken from exports or the API, so "<!channel>" pages nobody', () => {
    const report = syntheticReport({ error: { code: 'CSV_INVALID_ROW', message: 'members.csv:2: <!channel> & <https://evil.example|click>' } });
    const { text } = webhookPayload(report, '/reports/r/report.json');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(text).not.toMatch(/[<>]/);
  });

  it('sends no full phone number', async () => {
    const receiver = await captureServer();
    const report = syntheticReport({ error: { code: 'API_REJECTED', message: `phoneNumber ${PLANTED_PHONE} refused` } });
    await notifyWebhook(receiver.url, report, '/reports/r/report.json');
    expect(receiver.requests[0]!.body.includes(PLANTED_PHONE)).toBe(false);
    expect(JSON.parse(receiver.requests[0]!.body).error.message).toBe('phoneNumber +47******67 refused');
  });

  it('fails with the status on an answer other than 2xx, without the secret path of the URL', async () => {
    const receiver = await captureServer(() => ({ status: 404, body: 'no_service' }));
    const error = await outboundRejection(notifyWebhook(`${receiver.url}${SECRET_PATH}?token=abc`, situations.partial.report, situations.partial.reportPath));
    expect(error).toMatchObject({ code: 'NOTIFY_FAILED', status: 404 });
    expect(error.message).toBe(`Webhook notification to ${receiver.url} (path not shown) failed: HTTP 404: no_service`);
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('token');
  });

  it('gives up after the timeout when the receiver does not answer', async () => {
    const receiver = await captureServer(() => 'hang');
    const error = await outboundRejection(notifyWebhook(receiver.url, situations.partial.report, situations.partial.reportPath, { timeoutMs: 300 }));
    expect(error.message).toBe(`Webhook notification to ${receiver.url} (path not shown) failed: no answer within 300 ms`);
  });
});
