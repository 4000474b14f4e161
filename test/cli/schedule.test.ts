// `loyalty-sync schedule`: a cron inside the process, never two runs at once, a clean stop on SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsTable } from '../../src/state/runs.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CLI, CREDENTIALS_ENV, runCli, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('schedule', () => {
  it('skips ticks while a run is in progress and stops cleanly after the current run', async () => {
    // 149 events one at a time at ≥ 15 ms each: the first run outlasts several one-second ticks.
    const sandbox = await sandboxForTest({ faults: { latencyMs: 15 } });
    const dir = tempDir();
    const args = ['schedule', '--cron', '* * * * * *', '--run-on-start', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--concurrency', '1'];
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(CREDENTIALS_ENV) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    while (stdout.split('\n').filter((line) => line.includes(': succeeded')).length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    expect(stderr).toContain('tick skipped: the previous run is still in progress');
    expect(stderr).toContain('stopping after the current run');
    const store = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
    const runs = runsTable(store.db).recent(100);
    store.close();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // Every run finished (none left 'running'), and they never overlapped.
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    const ordered = [...runs].reverse();
    for (let i = 1; i < ordered.length; i++) expect(ordered[i]!.startedAt >= ordered[i - 1]!.finishedAt!).toBe(true);
    expect(sandbox.stats().accepted).toBe(149);
  });

  it('refuses an invalid cron expression as a configuration error', async () => {
    const result = await runCli(['schedule', '--cron', '61 * * * *', '--source', SAMPLES, '--dry-run', '--state', join(tempDir(), 's.sqlite')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid cron expression "61 * * * *"');
  });
});
