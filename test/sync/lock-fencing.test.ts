// Two runs at once after a pause: run A is frozen (SIGSTOP) in the middle of sending, past its lock's
// staleness; run B takes the lock over and finishes the night. When A resumes (SIGCONT) it must notice
// it lost the lock before it sends or commits anything more, and stop with exit 75. Real processes,
// real signals, the sandbox over loopback; staleness shortened with --lock-stale-seconds.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { acquireRunLock } from '../../src/state/run-lock.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CLI, CREDENTIALS_ENV, runCli, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const STALE_SECONDS = 2;

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** Whether nobody holds the state file's write lock (a process frozen in a commit would). */
function writeLockFree(path: string): boolean {
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return true;
  } catch {
    return false;
  } finally {
    db.close();
  }
}

function read<T>(path: string, sql: string): T[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Everything a run could commit: snapshot, outbox, runs, lock. */
const stateOf = (path: string) =>
  ['snapshot', 'snapshot_docs', 'outbox_events', 'outbox_members', 'runs', 'run_lock'].map((table) => read(path, `SELECT * FROM ${table} ORDER BY 1`));

describe('fencing', () => {
  it('a run frozen past its lock\'s staleness sends and commits nothing after it resumes, and exits 75', async () => {
    const reference = await sandboxForTest();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, tempDir(), reference.url);

    const sandbox = await sandboxForTest({ faults: { latencyMs: 40 } });
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const args = ['run', '--source', join(SAMPLES, 'night-1'), '--state', state, '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--concurrency', '2', '--lock-stale-seconds', String(STALE_SECONDS)];
    const runA = spawn(process.execPath, [CLI, ...args], { env: childEnv(CREDENTIALS_ENV) });
    let stdoutA = '';
    runA.stdout.on('data', (chunk) => (stdoutA += chunk));
    runA.stderr.resume();
    const exitA = new Promise<number | null>((resolve) => runA.on('close', (code) => resolve(code)));
    onTestFinished(() => {
      if (runA.exitCode === null) runA.kill('SIGKILL');
    });

    // Freeze A in the middle of sending, outside a commit (a process frozen holding the write lock would
    // keep B out altogether: then let it go on a little and freeze it again).
    await until(() => sandbox.stats().accepted >= 10);
    for (;;) {
      runA.kill('SIGSTOP');
      if (writeLockFree(state)) break;
      runA.kill('SIGCONT');
      const accepted = sandbox.stats().accepted;
      await until(() => sandbox.stats().accepted > accepted);
    }
    const [lock] = read<{ run_id: string; heartbeat_at: number }>(state, 'SELECT run_id, heartbeat_at FROM run_lock');
    await until(() => Date.now() - lock!.heartbeat_at > STALE_SECONDS * 1000 + 200);

    const runB = await runCli(args, CREDENTIALS_ENV);
    expect(runB.code).toBe(0);
    expect(runB.stdout).toContain('succeeded');
    const requestsWhenBFinished = sandbox.stats().requests;
    const stateWhenBFinished = stateOf(state);

    runA.kill('SIGCONT');
    expect(await exitA).toBe(75);
    expect(stdoutA).toMatch(/failed · LOCK_LOST: this run \(\S+\) lost its lock on the state file/);
    // A sent nothing more and committed nothing.
    expect(sandbox.stats().requests).toBe(requestsWhenBFinished);
    expect(stateOf(state)).toEqual(stateWhenBFinished);
    // The night's record is B's; A's own report says what happened.
    const latest = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(latest).toMatchObject({ runId: expect.not.stringMatching(lock!.run_id), status: 'succeeded' });
    const reportA = JSON.parse(readFileSync(join(dir, 'reports', lock!.run_id, 'report.json'), 'utf8'));
    expect(reportA).toMatchObject({ status: 'failed', exitCode: 75, error: { code: 'LOCK_LOST' } });
    expect(existsSync(join(dir, 'reports', 'metrics.prom'))).toBe(true);

    // Every change applied once: the API holds what one clean run gives it.
    const events = sandbox.events();
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    expect(sandbox.stats().anomalies).toEqual([]);
    const apiState = (api: typeof sandbox) => api.members({ includeDeleted: true }).map(({ lastEventAt: _ignored, ...member }) => member);
    expect(apiState(sandbox)).toEqual(apiState(reference));
  });

  it('a lock taken over makes every later check and commit beat throw LOCK_LOST; a stale one still held is beaten back to life first', () => {
    const store = openStateStore(join(tempDir(), 'state.sqlite'));
    onTestFinished(() => store.close());
    let clock = 1_000_000;
    const options = { now: () => clock, staleAfterMs: 2000, heartbeatMs: 3_600_000 };
    const first = acquireRunLock(store.db, { runId: 'first', ...options });
    // Frozen past the staleness, but nobody took over: the first check beats, and a takeover is refused.
    clock += 5000;
    first.assertHeld();
    expect(() => acquireRunLock(store.db, { runId: 'second', ...options, host: 'elsewhere' })).toThrow(expect.objectContaining({ code: 'STATE_LOCKED' }));
    // Frozen again, and this time another run takes over.
    clock += 5000;
    const second = acquireRunLock(store.db, { runId: 'second', ...options, host: 'elsewhere' });
    expect(() => first.assertHeld()).toThrow(expect.objectContaining({ code: 'LOCK_LOST', message: expect.stringContaining('to run second') }));
    expect(() => first.beat()).toThrow(expect.objectContaining({ code: 'LOCK_LOST' }));
    second.assertHeld();
    second.beat();
    first.release();
    expect(read(store.path, 'SELECT run_id FROM run_lock')).toEqual([{ run_id: 'second' }]);
    second.release();
  });
});
