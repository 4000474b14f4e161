// Paths a person mistypes: `status` or `explain` without a state file says where it looked (not that a
// file is corrupt) and creates none; a `--source` that is not there stops the run before a state file or a
// report folder exists, naming the errno once. And `status` shows times in the reports' time zone.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { readReportHtml } from '../report/fixtures/report-html-reader.ts';

describe('no state file', () => {
  it('status and explain say where they looked, exit 2, and create nothing', async () => {
    const dir = tempDir();
    for (const command of [['status'], ['status', '--json'], ['explain', 'M-10001']]) {
      const byDefault = await runCli(command, {}, { cwd: dir });
      expect(byDefault.code).toBe(2);
      expect(byDefault.stderr).toBe(`loyalty-sync ${command[0]}: STATE_NOT_FOUND: no state file at ${join(dir, 'loyalty-sync.sqlite')} (use --state or --config)\n`);
      const named = await runCli([...command, '--state', join(dir, 'state', 'typo.sqlite')]);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(`no state file at ${join(dir, 'state', 'typo.sqlite')} (use --state or --config)`);
      expect(named.stderr).not.toContain('STATE_CORRUPT');
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a mistyped --source', () => {
  it('stops a run before a state file or a report folder exists, naming the errno once', async () => {
    const dir = tempDir();
    const missing = join(dir, 'exprots');
    for (const extra of [[], ['--dry-run']]) {
      const result = await runCli(['run', '--source', missing, '--state', join(dir, 'state', 's.sqlite'), '--report-dir', join(dir, 'reports'), ...extra], {
        VIPPS_CLIENT_ID: 'c',
        VIPPS_CLIENT_SECRET: 's',
        VIPPS_SUBSCRIPTION_KEY: 'k',
        VIPPS_MERCHANT_SERIAL_NUMBER: '1',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`loyalty-sync run: SOURCE_NOT_FOUND: source folder ${missing} does not exist (ENOENT)\n`);
      expect(`${result.stdout}${result.stderr}`.match(/ENOENT/g)).toHaveLength(1);
    }
    // A file where a folder is meant says so too.
    const file = join(dir, 'members.csv');
    writeFileSync(file, 'contact_id,phone_number\n');
    const notFolder = await runCli(['run', '--source', file, '--state', join(dir, 'state', 's.sqlite'), '--report-dir', join(dir, 'reports'), '--dry-run']);
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toContain(`source ${file} is not a folder (ENOTDIR)`);
    expect(readdirSync(dir)).toEqual(['members.csv']);
  });
});

describe('status', () => {
  it('shows the times in the time zone the reports use, from the config file or --time-zone', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ state: join(dir, 's.sqlite'), reportDir: join(dir, 'reports'), timeZone: 'America/New_York' }));
    const run = await runCli(['run', '--config', config, '--source', join(SAMPLES, 'night-1'), '--dry-run']);
    expect(run.code).toBe(0);
    const reportPath = /report (\S+report\.json)/.exec(run.stdout)![1]!;
    const page = readReportHtml(readFileSync(join(dirname(reportPath), 'report.html'), 'utf8'));
    const started = page.section('status').querySelectorAll('.facts div').find((div) => div.querySelector('dt')!.text === 'Started')!.querySelector('dd')!.text;
    expect(started).toMatch(/ (EST|EDT|GMT-[45])$/);

    const status = await runCli(['status', '--config', config]);
    expect(status.code).toBe(0);
    expect(status.stdout.startsWith(`${started}  dry-run`)).toBe(true);
    const tokyo = await runCli(['status', '--config', config, '--time-zone', 'Asia/Tokyo']);
    expect(tokyo.stdout).toMatch(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d:\d\d GMT\+9  dry-run/);
    expect(existsSync(join(dir, 's.sqlite'))).toBe(true);
  });
});
