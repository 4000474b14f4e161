// The counts of a run add up and agree wherever they are read: new + changed + unchanged + deleted +
// failed + untouched = total, and the summary line, report.json, report.html, the last log line and
// `status` say the same numbers. On the demo nights, a partial run, a dry run, and a run that delivers
// what an interrupted one left.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, CREDENTIALS_ENV, runCli, childEnv, type CliResult } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { readReportHtml } from '../report/fixtures/report-html-reader.ts';

const PARTS = ['new', 'changed', 'unchanged', 'deleted', 'failed', 'untouched'] as const;

interface Counts {
  members: Record<'total' | (typeof PARTS)[number], number>;
  /** "31/31 events accepted, 0 failed" or "149 events planned, none sent". */
  events: string;
  rows: { read: number; rejected: number };
}

/** The numbers as the summary line writes them. */
function countsInSummary(line: string): Counts {
  const members = /· (\d+) members \((\d+) new, (\d+) changed, (\d+) unchanged, (\d+) deleted, (\d+) failed, (\d+) untouched\)/.exec(line);
  const events = /· (\d+\/\d+ events accepted, \d+ failed|\d+ events planned, none sent)/.exec(line);
  const rows = /· (\d+) of (\d+) rows rejected/.exec(line);
  if (!members || !events || !rows) throw new Error(`not a summary line: ${line}`);
  const [total, ...parts] = members.slice(1).map(Number);
  return { members: { total: total!, ...Object.fromEntries(PARTS.map((part, index) => [part, parts[index]!])) } as Counts['members'], events: events[1]!, rows: { read: Number(rows[2]), rejected: Number(rows[1]) } };
}

/** Checks one finished run everywhere its numbers are written; returns its report. */
async function expectCountsAgree(result: CliResult, state: string) {
  const summary = result.stdout.split('\n')[0]!;
  const counts = countsInSummary(summary);
  const reportPath = /report (\S+report\.json)/.exec(summary)![1]!;
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));

  // The parts add up to the total, and report.json holds the summary line's numbers.
  expect(PARTS.reduce((sum, part) => sum + counts.members[part], 0), summary).toBe(counts.members.total);
  expect(report.members).toEqual(counts.members);
  expect(report.rows).toEqual(counts.rows);
  const { accepted, planned, drained, failed } = report.events;
  expect(counts.events).toBe(report.status === 'dry-run' ? `${planned} events planned, none sent` : `${accepted}/${planned + drained} events accepted, ${failed} failed`);

  // report.html's tiles
  const page = readReportHtml(readFileSync(join(dirname(reportPath), 'report.html'), 'utf8'));
  expect(Object.fromEntries(Object.entries(page.tiles('members')).map(([key, value]) => [key, Number(value)]))).toEqual(counts.members);
  expect(page.section('rejects').querySelector('p')!.text).toContain(`${counts.rows.rejected} of ${counts.rows.read} rows rejected`);

  // The last log line
  const finished = result.stderr
    .split('\n')
    .filter((line) => line.includes('"msg":"run finished"'))
    .map((line) => JSON.parse(line));
  expect(finished).toHaveLength(1);
  expect(finished[0]).toMatchObject({ members: counts.members, rows: counts.rows, events: { planned, drained, accepted, failed } });

  // `status`: the same counts for this run
  const status = await runCli(['status', '--state', state, '--limit', '1']);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(report.runId);
  expect(countsInSummary(` · ${status.stdout.split(report.runId)[1]!.trim()}`)).toEqual(counts);
  return report;
}

describe('member counts', () => {
  it('add up and agree on the demo nights, and in a dry run', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 's.sqlite');
    const common = ['--state', state, '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    const night1 = await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV);
    expect((await expectCountsAgree(night1, state)).members).toEqual({ total: 60, new: 60, changed: 0, unchanged: 0, deleted: 0, failed: 0, untouched: 0 });
    const dryRun = await runCli(['run', '--source', join(SAMPLES, 'night-2'), ...common, '--dry-run'], CREDENTIALS_ENV);
    expect((await expectCountsAgree(dryRun, state)).status).toBe('dry-run');
    const night2 = await runCli(['run', '--source', join(SAMPLES, 'night-2'), ...common], CREDENTIALS_ENV);
    // 62 contacts in the members file (M-10052 only on a rejected row) + 3 departed = 65.
    expect((await expectCountsAgree(night2, state)).members).toEqual({ total: 65, new: 5, changed: 13, unchanged: 40, deleted: 3, failed: 0, untouched: 4 });
  });

  it('count a member the API refused as failed only, not also as new or changed', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 's.sqlite');
    const common = ['--state', state, '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    expect((await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV)).code).toBe(0);
    // M-10061 is new in night-2, M-10004 changed its phone number, M-10007 departed.
    sandbox.setFaults({ failContactIds: ['M-10061', 'M-10004', 'M-10007'] });
    const partial = await runCli(['run', '--source', join(SAMPLES, 'night-2'), ...common], CREDENTIALS_ENV);
    expect(partial.code).toBe(3);
    expect((await expectCountsAgree(partial, state)).members).toEqual({ total: 65, new: 4, changed: 12, unchanged: 40, deleted: 2, failed: 3, untouched: 4 });
  });

  it('count events an interrupted run left, once delivered by the next run, as planned and accepted alike', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 30 } });
    const dir = tempDir();
    const state = join(dir, 's.sqlite');
    const common = ['--state', state, '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    // Interrupted with SIGTERM once sending has begun: what was not sent stays in the outbox.
    const child = spawn(process.execPath, [CLI, 'run', '--source', join(SAMPLES, 'night-1'), ...common, '--concurrency', '1', '--progress-seconds', '0.05', '--grace-period-seconds', '0'], {
      env: childEnv(CREDENTIALS_ENV),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/"stage":"deliver","members":[1-9]/.test(stderr) && !child.killed) child.kill('SIGTERM');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(1);
    const interrupted = await expectCountsAgree({ code, signal: null, stdout, stderr }, state);
    expect(interrupted.error.code).toBe('RUN_INTERRUPTED');
    expect(interrupted.events.accepted).toBeLessThan(149);

    sandbox.setFaults({ latencyMs: 0 });
    const resumed = await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = await expectCountsAgree(resumed, state);
    expect(report.events.drained).toBeGreaterThan(0);
    expect(interrupted.events.accepted + report.events.accepted).toBe(149);
    expect(resumed.stdout).toContain(`${report.events.accepted}/${report.events.accepted} events accepted, 0 failed`);
  });
});
