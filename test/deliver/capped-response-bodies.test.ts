// Answers of megabytes, or without end: the job runs with a 64 MB heap (the CLI's own launch flags) and
// reads every answer (events, token, Pushgateway, webhook) only to a cap. The real CLI as a child process,
// against the sandbox with huge error bodies and against small node:http servers that never stop talking.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { launchFlagsOf } from '../../src/cli/launch-flags.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const SHIPPED = { nodeFlags: launchFlagsOf() };
const FAILING = ['M-10003', 'M-10004', 'M-10005', 'M-10006', 'M-10007', 'M-10008', 'M-10009', 'M-10010'];

function run(source: string, dir: string, apiUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const args = ['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--retry-base-delay-ms', '5', ...extra];
  return runCli(args, { ...CREDENTIALS_ENV, ...env }, SHIPPED);
}

/** A server that answers every request with `status` and a body that never ends (1 MB chunks until the client goes). */
async function endlessServer(status: number, route: (path: string, res: ServerResponse) => boolean = () => false): Promise<{ url: string; sentMb: () => number }> {
  let sent = 0;
  const chunk = Buffer.alloc(1 << 20, 'x');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (route(req.url ?? '', res)) return;
      res.writeHead(status, { 'content-type': 'application/problem+json' });
      const pump = () => {
        while (!res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => res.off('drain', pump));
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sentMb: () => sent };
}

const latestReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));

describe('huge answers', () => {
  it('5 MB problem details from the events endpoint: reported cut short, the rest delivered', async () => {
    const sandbox = await sandboxForTest({ faults: { failContactIds: FAILING, errorBodyBytes: 5_000_000 } });
    const dir = tempDir();
    const result = await run(join(SAMPLES, 'night-1'), dir, sandbox.url);
    expect(result.stderr).not.toMatch(/heap out of memory/);
    expect(result.code).toBe(3);
    const report = latestReport(dir);
    expect(report.failures.map((failure: { contactId: string }) => failure.contactId).sort()).toEqual(FAILING);
    for (const failure of report.failures) {
      expect(failure.detail).toMatch(/^HTTP 400: Contact rejected: events for contact M-\d+ are rejected.*cut at 1000 characters/);
      expect(failure.detail.length).toBeLessThan(1100);
    }
    expect(report.events.accepted).toBe(sandbox.stats().accepted);
    expect(report.events.accepted).toBeGreaterThan(100);
  });

  it('a 5 MB answer from the token endpoint: the run stops with a short reason', async () => {
    const sandbox = await sandboxForTest({ faults: { tokenFailures: { status: 401 }, errorBodyBytes: 5_000_000 } });
    const dir = tempDir();
    const result = await run(join(SAMPLES, 'night-1'), dir, sandbox.url);
    expect(result.code).toBe(1);
    const report = latestReport(dir);
    expect(report.error.code).toBe('API_TOKEN_FAILED');
    expect(report.error.message.length).toBeLessThan(1200);
    expect(sandbox.stats()).toMatchObject({ requests: 0, tokenFailures: 1 });
  });

  it('an endless 200 from the events endpoint is read to the cap: not an acceptance, and nothing committed', async () => {
    const api = await endlessServer(200, (path, res) => {
      if (path !== '/accesstoken/get') return false;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: 't' }));
      return true;
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'members.csv'), 'contact_id,phone_number\nM-1,+4741000001\nM-2,+4741000002\n');
    const result = await run(dir, dir, api.url, ['--max-attempts', '2']);
    expect(result.stderr).not.toMatch(/heap out of memory/);
    expect(result.code).toBe(3);
    const report = latestReport(dir);
    expect(report.failures).toHaveLength(2);
    expect(report.failures[0].detail).toMatch(/HTTP 200: x{100,} \(not the accepted answer\).*may have applied it/);
    expect(api.sentMb()).toBeGreaterThan(0);
    expect(report.events.accepted).toBe(0);
  });

  it('an endless error answer from the Pushgateway and the webhook: a short warning, the run unaffected', async () => {
    const sandbox = await sandboxForTest({ faults: { failContactIds: ['M-10003'] } });
    const monitoring = await endlessServer(500);
    const dir = tempDir();
    const result = await run(join(SAMPLES, 'night-1'), dir, sandbox.url, ['--pushgateway-url', monitoring.url], { LOYALTY_SYNC_NOTIFY_URL: `${monitoring.url}/hooks/secret-token` });
    expect(result.code).toBe(3);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('could not announce the run'));
    expect(warnings).toHaveLength(2);
    for (const line of warnings) {
      expect(line).toMatch(/failed: HTTP 500: x{100}/);
      expect(line.length).toBeLessThan(2000);
    }
  });
});
