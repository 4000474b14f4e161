// The command-line contract, from outside: real process, real stdout/stderr, real exit codes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const CREDENTIALS = { VIPPS_CLIENT_ID: 'cli-client', VIPPS_CLIENT_SECRET: 'cli-secret-value', VIPPS_SUBSCRIPTION_KEY: 'cli-subscription-key', VIPPS_MERCHANT_SERIAL_NUMBER: '654321' };

describe('loyalty-sync CLI', () => {
  it('runs a sync, prints the summary line and the readable report on stdout and exits 0', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const result = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url], CREDENTIALS);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^loyalty-sync \S+: succeeded · 60 members \(60 new, .*149\/149 events accepted.* · report .*report\.json$/);
    expect(lines[1]).toMatch(/^ {2}readable report: \S+report\.html$/);
    const latest = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(latest).toMatchObject({ status: 'succeeded', members: { total: 60 } });
    expect(lines[0]).toContain(latest.runId);
  });

  it('takes options from env and a config file, flags winning', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const config = join(dir, 'config.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, JSON.stringify({ source: '/does/not/exist', concurrency: 300, credentials: { clientId: 'file-client', clientSecret: 's', subscriptionKey: 'k', merchantSerialNumber: '1' } }));
    const env = { LOYALTY_SYNC_CONFIG: config, LOYALTY_SYNC_CONCURRENCY: '4', LOYALTY_SYNC_STATE: join(dir, 's.sqlite'), LOYALTY_SYNC_REPORT_DIR: join(dir, 'r'), LOYALTY_SYNC_API_URL: sandbox.url };
    const result = await runCli(['run', '--source', join(SAMPLES, 'night-1')], env);
    expect(result.stderr).not.toContain('CONFIG_INVALID');
    expect(result.code).toBe(0);
  });

  it('exits 2 on usage and config errors, naming the option', async () => {
    const unknown = await runCli(['run', '--sauce', 'x'], CREDENTIALS);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--sauce'");

    const bad = await runCli(['run', '--source', SAMPLES, '--concurrency', '0'], CREDENTIALS);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('concurrency (--concurrency / LOYALTY_SYNC_CONCURRENCY): Too small');

    const noCredentials = await runCli(['run', '--source', SAMPLES], {});
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain('VIPPS_CLIENT_ID');

    expect((await runCli(['frobnicate'])).code).toBe(2);
  });

  it('exits 1 with a clear error for a missing source folder, leaving nothing behind', async () => {
    const dir = tempDir();
    const result = await runCli(['run', '--source', join(dir, 'nope'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'r'), '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`SOURCE_NOT_FOUND: source folder ${join(dir, 'nope')} does not exist (ENOENT)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('validate prints every rejected row and exits 0 only when all rows are valid', async () => {
    const night1 = readdirSync(join(SAMPLES, 'night-1')).map((name) => join(SAMPLES, 'night-1', name));
    const valid = await runCli(['validate', ...night1]);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('members.csv: 60 rows, 0 rejected (utf-8, delimiter ",")');

    const night2 = readdirSync(join(SAMPLES, 'night-2')).map((name) => join(SAMPLES, 'night-2', name));
    const invalid = await runCli(['validate', ...night2]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/night-2\/members\.csv:13 phone_number: expected a valid phone number/);
    expect(invalid.stdout).toMatch(/night-2\/stamp_cards\.csv:32 stamps_collected: expected a whole number ≥ 0, got "fem"/);
    expect(invalid.stdout).toContain('coupons.csv: 79 rows, 1 rejected (windows-1252, delimiter ";")');
  });

  it('relaunches the sandbox without the job\'s heap cap, and stops it on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../fixtures/cli.ts');
    const child = spawn(process.execPath, ['--max-old-space-size=64', CLI, 'sandbox', '--port', '0'], { env: childEnv() });
    let stdout = '';
    const url = await new Promise<string>((resolve) =>
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+?)[ ,]/.exec(stdout);
        if (match) resolve(match[1]!);
      }),
    );
    const stats = await fetch(`${url}/_sandbox/stats`);
    expect(stats.status).toBe(200);
    // The sandbox runs in a child of the launched process, started without the cap.
    const relaunched = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
    expect(relaunched).toHaveLength(1);
    expect(readFileSync(`/proc/${relaunched[0]}/cmdline`, 'utf8')).not.toContain('max-old-space-size');
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    await expect(fetch(`${url}/_sandbox/stats`)).rejects.toThrow();
  });

  it('status lists the runs of a state file', async () => {
    const dir = tempDir();
    await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'r'), '--dry-run']);
    const status = await runCli(['status', '--state', join(dir, 's.sqlite')]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/dry-run\s+\S+\s+60 members \(60 new/);
  });

  it('never writes a secret or a full phone number to logs or reports, even at debug level', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const result = await runCli(
      ['run', '--source', join(SAMPLES, 'night-2'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--log-level', 'trace'],
      CREDENTIALS,
    );
    expect(result.code).toBe(0);
    const reportDir = join(dir, 'reports');
    const written = readdirSync(reportDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
    const everything = [result.stdout, result.stderr, ...written].join('\n');
    expect(result.stderr.split('\n').filter(Boolean).length).toBeGreaterThan(3);
    for (const secret of [CREDENTIALS.VIPPS_CLIENT_SECRET, CREDENTIALS.VIPPS_SUBSCRIPTION_KEY, CREDENTIALS.VIPPS_CLIENT_ID]) expect(everything).not.toContain(secret);
    const phones = sandbox.members().map((member) => member.member.phoneNumber);
    expect(phones.length).toBeGreaterThan(50);
    for (const phone of phones) {
      expect(everything).not.toContain(phone);
      expect(everything).not.toContain(phone.slice(3));
    }
    const tokens = sandbox.stats().tokensIssued;
    expect(tokens).toBeGreaterThan(0);
  });
});
