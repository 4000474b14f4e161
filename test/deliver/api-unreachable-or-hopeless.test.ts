// An API that cannot be reached, or can but only fails: the run stops soon, with its cause, commits
// nothing beyond what was accepted, and leaves the export for the next run. The token endpoint is retried
// like the events endpoint; only a refusal of our credentials stops at once. The real CLI on a drop folder.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { dropFolderWith } from '../fixtures/drop-folder.ts';
import { tempDir } from '../fixtures/temp.ts';



function run(source: string, dir: string, apiUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = CREDENTIALS_ENV) {
  return runCli(['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, ...extra], env);
}

const latestReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
const snapshotRows = (dir: string) => {
  const store = openStateStore(join(dir, 'state.sqlite'));
  try {
    return (store.db.prepare('SELECT count(*) AS n FROM snapshot').get() as { n: number }).n;
  } finally {
    store.close();
  }
};

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('an API that cannot be reached', () => {
  it.each([
    ['nothing listens on the port', async () => `http://127.0.0.1:${await closedPort()}`, /ECONNREFUSED/],
    ['its name does not resolve', async () => 'http://loyalty-api.invalid', /ENOTFOUND|EAI_AGAIN/],
  ])('when %s: exit 1 API_UNREACHABLE, nothing committed, the export left in incoming/', async (_case, apiUrl, cause) => {
    const root = dropFolderWith('night-1');
    const dir = tempDir();
    const result = await run(root, dir, await apiUrl());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/failed · API_UNREACHABLE: the API at http:\/\/\S+ cannot be reached: the first 3 requests failed to connect/);
    expect(latestReport(dir)).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'API_UNREACHABLE', message: expect.stringMatching(cause) }, events: { accepted: 0 } });
    expect(readdirSync(join(root, 'incoming'))).toContain('members.csv');
    expect(existsSync(join(root, 'archive'))).toBe(false);
    expect(snapshotRows(dir)).toBe(0);
  });
});

describe('an API where every answer is a 5xx', () => {
  it('stops after --max-failures-in-a-row members with API_CIRCUIT_OPEN; the next run delivers everything', async () => {
    const sandbox = await sandboxForTest({ faults: { errorRate: 1, seed: 9 } });
    const root = dropFolderWith('night-1');
    const dir = tempDir();
    const stormy = await run(root, dir, sandbox.url, ['--retry-base-delay-ms', '5', '--retry-max-delay-ms', '20', '--concurrency', '4', '--max-failures-in-a-row', '10']);
    expect(stormy.code).toBe(1);
    const report = latestReport(dir);
    expect(report).toMatchObject({ status: 'failed', error: { code: 'API_CIRCUIT_OPEN', message: expect.stringMatching(/10 members in a row could not be delivered .*last: gave up after 6 attempts; last: HTTP 50[023]/) } });
    // Bounded: at most the members in a row and those in flight, 6 attempts each — not all 60 members.
    expect(sandbox.stats().requests).toBeLessThanOrEqual((10 + 4) * 6);
    expect(report.members.failed).toBeGreaterThanOrEqual(10);
    expect(readdirSync(join(root, 'incoming'))).toContain('members.csv');
    expect(snapshotRows(dir)).toBe(0);

    sandbox.setFaults({ errorRate: 0 });
    const calm = await run(root, dir, sandbox.url);
    expect(calm.code).toBe(0);
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats().anomalies).toEqual([]);
    expect(snapshotRows(dir)).toBe(60);
  });
});

describe('the token endpoint', () => {
  it.each([
    ['503 twice', { status: 503, count: 2 }],
    ['429 with Retry-After', { status: 429, count: 1, retryAfterSeconds: 1 }],
    ['a 504 from the gateway', { status: 504, count: 1 }],
  ])('is retried on %s, and the run succeeds', async (_case, tokenFailures) => {
    const sandbox = await sandboxForTest({ faults: { tokenFailures } });
    const dir = tempDir();
    const result = await run(join(SAMPLES, 'night-1'), dir, sandbox.url, ['--retry-base-delay-ms', '5', '--log-level', 'debug']);
    expect(result.code).toBe(0);
    expect(sandbox.stats()).toMatchObject({ tokenFailures: tokenFailures.count, tokensIssued: 1, accepted: 149 });
    const retries = result.stderr.split('\n').filter((line) => line.includes('"access token: ')).map((line) => JSON.parse(line) as { delayMs: number; status: number });
    expect(retries).toHaveLength(tokenFailures.count);
    // Retry-After is a floor for the wait, never shortened.
    if ('retryAfterSeconds' in tokenFailures) expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(tokenFailures.retryAfterSeconds * 1000);
  });

  it.each([400, 401, 403])('refusing our credentials with %i stops the run at once: one request, nothing sent', async (status) => {
    const sandbox = await sandboxForTest({ faults: { tokenFailures: { status } } });
    const root = dropFolderWith('night-1');
    const dir = tempDir();
    const result = await run(root, dir, sandbox.url);
    expect(result.code).toBe(1);
    expect(latestReport(dir)).toMatchObject({ error: { code: 'API_TOKEN_FAILED', message: expect.stringContaining(`refused: HTTP ${status}`) } });
    expect(sandbox.stats()).toMatchObject({ tokenFailures: 1, requests: 0 });
    expect(readdirSync(join(root, 'incoming'))).toContain('members.csv');
  });
});

describe('header values with line breaks', () => {
  it.each([
    ['VIPPS_CLIENT_SECRET', { ...CREDENTIALS_ENV, VIPPS_CLIENT_SECRET: 'top-secret\n' }, [], /credentials\.clientSecret \(VIPPS_CLIENT_SECRET\): .*line breaks/],
    ['VIPPS_SUBSCRIPTION_KEY', { ...CREDENTIALS_ENV, VIPPS_SUBSCRIPTION_KEY: 'key\r\nX-Injected: 1' }, [], /credentials\.subscriptionKey \(VIPPS_SUBSCRIPTION_KEY\): .*line breaks/],
    ['--plugin-name', CREDENTIALS_ENV, ['--plugin-name', 'shop\r\nX-Injected: 1'], /pluginName \(--plugin-name \/ LOYALTY_SYNC_PLUGIN_NAME\): .*line breaks/],
    ['LOYALTY_SYNC_PLUGIN_VERSION', { ...CREDENTIALS_ENV, LOYALTY_SYNC_PLUGIN_VERSION: '1.0\n' }, [], /pluginVersion .*line breaks/],
  ])('are a configuration error (exit 2) naming %s, never its value', async (_name, env, extra, message) => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const result = await run(join(SAMPLES, 'night-1'), dir, sandbox.url, extra, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/top-secret|X-Injected/);
    expect(sandbox.stats()).toMatchObject({ requests: 0, tokensIssued: 0 });
  });

  it('in the config file\'s credentials too', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ credentials: { clientId: 'c', clientSecret: 's\r', subscriptionKey: 'k', merchantSerialNumber: '1' } }));
    const result = await runCli(['run', '--config', config, '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CONFIG_INVALID.*\n.*credentials\.clientSecret.*line breaks/);
  });
});
