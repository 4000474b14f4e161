// After the summary line, every run says on stdout where its readable report is, and its rejected rows
// when there are any: `run`, a dry run, and each run of `schedule`, not only the demo.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, CREDENTIALS_ENV, runCli, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

/** The summary line's report.json, and the paths printed under it (which must exist, beside it). */
function printedPaths(stdout: string) {
  const reportJson = /report (\S+report\.json)/.exec(stdout)![1]!;
  const html = /^ {2}readable report: (\S+)$/m.exec(stdout)?.[1];
  const rejects = /^ {2}rejected rows: (\S+)$/m.exec(stdout)?.[1];
  for (const path of [html, rejects]) if (path) expect(existsSync(path), path).toBe(true);
  return { folder: dirname(reportJson), html, rejects };
}

describe('every run prints its report paths', () => {
  it('run and dry run: report.html always, rejects.csv when rows were rejected', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const common = ['--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];

    const clean = await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV);
    expect(clean.code).toBe(0);
    const first = printedPaths(clean.stdout);
    expect(first).toEqual({ folder: first.folder, html: join(first.folder, 'report.html'), rejects: undefined });

    const dryRun = await runCli(['run', '--source', join(SAMPLES, 'night-2'), ...common, '--dry-run'], CREDENTIALS_ENV);
    const planned = printedPaths(dryRun.stdout);
    expect(planned).toEqual({ folder: planned.folder, html: join(planned.folder, 'report.html'), rejects: join(planned.folder, 'rejects.csv') });
    // The paths come right under the summary line, before the dry run's plan.
    expect(dryRun.stdout.split('\n').slice(1, 4)).toEqual([`  readable report: ${planned.html}`, `  rejected rows: ${planned.rejects}`, expect.stringMatching(/^Plan \(dry run/)]);

    const withRejects = await runCli(['run', '--source', join(SAMPLES, 'night-2'), ...common], CREDENTIALS_ENV);
    expect(printedPaths(withRejects.stdout).rejects).toBeDefined();
  });

  it('schedule: after each run', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [CLI, 'schedule', '--cron', '0 2 * * *', '--run-on-start', '--source', join(SAMPLES, 'night-2'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url],
      { env: childEnv(CREDENTIALS_ENV) },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (/rejected rows: \S+\n/.test(stdout)) child.kill('SIGTERM');
    });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const printed = printedPaths(stdout);
    expect(printed.html).toBe(join(printed.folder, 'report.html'));
    expect(printed.rejects).toBe(join(printed.folder, 'rejects.csv'));
  });
});
