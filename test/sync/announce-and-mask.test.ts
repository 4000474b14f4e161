// After the report is written: metrics to a Pushgateway, a webhook for runs that did not succeed. And an
// API that echoes phone numbers in its errors does not get them into reports or logs.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { refusingProxy } from '../fixtures/refusing-proxy.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

async function recorder() {
  const received: { method: string; url: string; body: string }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({ method: req.method!, url: req.url!, body });
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('after the run', () => {
  it('pushes metrics, posts a webhook for a partial run, and masks phone numbers the API echoes', async () => {
    const sandbox = await sandboxForTest();
    const proxy = await refusingProxy(sandbox.url, (event) => event.payload.contactId === 'M-10005', (event) => `phone ${event.payload.phoneNumber} is blocked`);
    const monitor = await recorder();
    const dir = tempDir();
    const result = await runCli(
      ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', proxy, '--pushgateway-url', `${monitor.url}/gw`, '--log-level', 'debug'],
      { ...CREDENTIALS_ENV, LOYALTY_SYNC_NOTIFY_URL: `${monitor.url}/hooks/secret-token` },
    );
    expect(result.code).toBe(3);

    const push = monitor.received.find((request) => request.url.startsWith('/gw'))!;
    expect(push).toMatchObject({ method: 'PUT', url: '/gw/metrics/job/loyalty-sync' });
    expect(push.body).toMatch(/loyalty_sync_run_status\{[^}]*status="partial"[^}]*\} 1/);
    expect(readFileSync(join(dir, 'reports', 'metrics.prom'), 'utf8')).toBe(push.body);

    const hook = monitor.received.find((request) => request.url === '/hooks/secret-token')!;
    expect(JSON.parse(hook.body)).toMatchObject({ text: expect.stringContaining('partial'), status: 'partial' });

    const report = readFileSync(join(dir, 'reports', 'latest.json'), 'utf8');
    const refused = JSON.parse(report).failures[0];
    expect(refused.detail).toMatch(/phone \+\d\d\*+\d\d is blocked/);
    expect(result.stderr).toContain('is blocked');
    for (const text of [report, result.stderr, result.stdout, hook.body, push.body]) {
      expect(text).not.toMatch(/\+\d{9,15}/);
      expect(text).not.toContain('secret-token');
    }
  });

  it('takes the webhook URL only from env or the config file, never a flag', async () => {
    const result = await runCli(['run', '--source', SAMPLES, '--notify-url', 'http://example.invalid/x', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--notify-url'");
  });
});
