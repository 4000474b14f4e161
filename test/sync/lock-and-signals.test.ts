// One run at a time per state file, a lock a killed run cannot leave stuck, and a clean stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { acquireRunLock } from '../../src/state/run-lock.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CLI, CREDENTIALS_ENV, runCli, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('run lock', () => {
  it('makes a second run exit 75 while the first holds the lock', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const store = openStateStore(state);
    const lock = acquireRunLock(store.db, { runId: 'first-run' });
    try {
      expect(() => acquireRunLock(store.db, { runId: 'second' })).toThrow(expect.objectContaining({ code: 'STATE_LOCKED' }));
      const result = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', state, '--report-dir', join(dir, 'r'), '--dry-run']);
      expect(result.code).toBe(75);
      expect(result.stderr).toMatch(/STATE_LOCKED: another run \(first-run, pid \d+ on .*\) holds the lock/);
    } finally {
      lock.release();
      store.close();
    }
    const after = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', state, '--report-dir', join(dir, 'r'), '--dry-run']);
    expect(after.code).toBe(0);
  });

  it('says "locked" (exit 75) while another process holds the state file for writing', () => {
    const path = join(tempDir(), 'state.sqlite');
    const writer = openStateStore(path);
    writer.db.exec('BEGIN IMMEDIATE');
    const other = new DatabaseSync(path, { timeout: 50 });
    try {
      expect(() => acquireRunLock(other, { runId: 'second' })).toThrow(expect.objectContaining({ code: 'STATE_LOCKED', message: expect.stringContaining('writing this state file') }));
    } finally {
      other.close();
      writer.db.exec('ROLLBACK');
      writer.close();
    }
  });

  it('keeps a fresh heartbeat when asked during long synchronous work', () => {
    const store = openStateStore(join(tempDir(), 'state.sqlite'));
    let clock = 1_000;
    const lock = acquireRunLock(store.db, { runId: 'busy', now: () => clock, heartbeatMs: 3_600_000 });
    clock = 500_000;
    lock.beat();
    expect(store.db.prepare('SELECT heartbeat_at FROM run_lock').get()).toEqual({ heartbeat_at: 500_000 });
    lock.release();
    store.close();
  });

  it('takes over a lock whose process is gone, or whose heartbeat stopped', () => {
    const store = openStateStore(join(tempDir(), 'state.sqlite'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    acquireRunLock(store.db, { runId: 'killed', pid: dead, heartbeatMs: 3_600_000 });
    acquireRunLock(store.db, { runId: 'next' }).release();

    let clock = 1_000_000;
    acquireRunLock(store.db, { runId: 'elsewhere', host: 'other-host', pid: 1, now: () => clock, heartbeatMs: 3_600_000 });
    expect(() => acquireRunLock(store.db, { runId: 'too-early', now: () => clock + 60_000 })).toThrow(expect.objectContaining({ code: 'STATE_LOCKED' }));
    clock += 121_000;
    acquireRunLock(store.db, { runId: 'later', now: () => clock }).release();
    expect(store.db.prepare('SELECT count(*) AS n FROM run_lock').get()).toEqual({ n: 0 });
    store.close();
  });
});

describe('SIGTERM', () => {
  it('abandons requests still in flight after the grace period', async () => {
    // An API that hands out tokens but never answers an event: without the grace period's abandonment
    // the run would wait out its 10-minute request timeout, far beyond the test's deadline.
    const api = await silentEventsApi();
    const dir = tempDir();
    const args = ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', api.url, '--grace-period-seconds', '0.5', '--request-timeout-ms', '600000'];
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(CREDENTIALS_ENV) });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await api.eventRequests(8);
    child.kill('SIGTERM');
    expect(await closed).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'failed', error: { code: 'RUN_INTERRUPTED' }, events: { accepted: 0 } });
  });

  it('stops starting members, commits what was accepted, reports, exits non-zero; the next run finishes the job', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 40 } });
    const dir = tempDir();
    const args = ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--concurrency', '2'];
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(CREDENTIALS_ENV) });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    while (sandbox.stats().accepted < 10) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'failed', error: { code: 'RUN_INTERRUPTED' } });
    expect(stdout).toContain('failed');
    const accepted = sandbox.stats().accepted;
    expect(accepted).toBeLessThan(149);
    expect(report.events.accepted).toBe(accepted);

    const store = openStateStore(join(dir, 'state.sqlite'));
    const committed = (store.db.prepare('SELECT count(*) AS n FROM snapshot').get() as { n: number }).n;
    store.close();
    // Every member the API registered is in the snapshot: accepted events are committed even mid-member.
    expect(committed).toBe(sandbox.members().length);
    expect(committed).toBeLessThan(60);

    sandbox.setFaults({ latencyMs: 0 });
    const resumed = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(resumed.report.status).toBe('succeeded');
    expect(sandbox.stats().accepted).toBe(149);
    expect(sandbox.stats().anomalies).toEqual([]);
  });
});

/** Answers token requests at once and holds every event request unanswered until the test ends. */
async function silentEventsApi(): Promise<{ url: string; eventRequests(count: number): Promise<void> }> {
  const held: ServerResponse[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const server = createServer((request, response) => {
    request.resume();
    if (request.url === '/accesstoken/get') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: 'token' }));
      return;
    }
    held.push(response);
    if (waiting && held.length >= waiting.count) waiting.resolve();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const response of held) response.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    eventRequests: (count) => (held.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve }))),
  };
}
