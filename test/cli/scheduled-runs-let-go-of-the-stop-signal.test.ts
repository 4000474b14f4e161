// `loyalty-sync schedule` runs night after night in one process, every run with the same stop signal (a
// second SIGTERM stops the run in progress). A run must let go of that signal when it ends: an `abort`
// listener left behind per run kept every night's run (its config, its API sender) alive for the life of
// the process. The scheduler is driven in a child process (test/fixtures/scheduled-runs.ts), so that its
// garbage collection sees only the runs.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { childEnv } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/temp.ts';

const SCRIPT = fileURLToPath(new URL('../fixtures/scheduled-runs.ts', import.meta.url));
// More runs than an event target's default listener limit (10): the leak reported was 12 listeners after 12 runs.
const RUNS = 12;

function scheduledRuns(runs: number, dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', SCRIPT, String(runs), dir], { env: childEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scheduled runs sharing one stop signal', () => {
  it(`leave no abort listener on it and no run alive after ${RUNS} nights`, async () => {
    const result = await scheduledRuns(RUNS, tempDir());
    expect(result.code, result.stderr).toBe(0);
    const { statuses, listeners, retained } = JSON.parse(result.stdout) as { statuses: string[]; listeners: number[]; retained: number };
    // Every night sent something (the two sample nights in turn), so each run opened its API sender.
    expect(statuses).toEqual(Array(RUNS).fill('succeeded'));
    expect(listeners).toEqual(Array(RUNS).fill(0));
    expect(retained).toBe(0);
  });
});
