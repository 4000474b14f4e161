// A mistyped flag or config-file key is an error naming the closest known one, for every command, before
// anything is read or sent (`"dryrun": true` must not end in a live run). Missing credentials get one
// message, whether one is missing or all four.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const MEMBERS = join(SAMPLES, 'night-1', 'members.csv');

/** Each command with a typo of one of its own flags, and the flag it means. */
const FLAG_TYPOS: [command: string[], typo: string, meant: string][] = [
  [['run', '--source', SAMPLES], '--dryrun', '--dry-run'],
  [['schedule', '--cron', '0 2 * * *', '--source', SAMPLES], '--runonstart', '--run-on-start'],
  [['validate', MEMBERS], '--date-fromat', '--date-format'],
  [['status'], '--limt', '--limit'],
  [['explain', 'M-1'], '--sorce', '--source'],
  [['demo'], '--log_level', '--log-level'],
];

describe('unknown flags', () => {
  it.each(FLAG_TYPOS)('%s: %s is refused (exit 2) with "did you mean %s"', async (command, typo, meant) => {
    const result = await runCli([...command, typo, 'x'], CREDENTIALS_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Unknown option '${typo}' (did you mean ${meant}?)`);
    expect(result.stdout).toBe('');
  });

  it('a flag that resembles nothing is refused without a guess', async () => {
    const result = await runCli(['run', '--frobnicate', 'x'], CREDENTIALS_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frobnicate'; --help lists every option");
  });
});

describe('unknown config-file keys', () => {
  it('are refused at the top level before anything is sent, each with the key it resembles', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ source: join(SAMPLES, 'night-1'), state: join(dir, 's.sqlite'), reportdir: join(dir, 'reports'), dryrun: true, apiUrl: sandbox.url }));
    const result = await runCli(['run', '--config', config], CREDENTIALS_ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`config file ${config}:`);
    expect(result.stderr).toContain('"reportdir": unknown key (did you mean "reportDir"?)');
    expect(result.stderr).toContain('"dryrun": unknown key (did you mean "dryRun"?)');
    expect(sandbox.stats().accepted).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('are refused in nested objects too', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ dialect: { delimter: ';' }, columns: { member: {}, coupons: { couponid: 'Kupong' } }, credentials: { clientsecret: 'x' } }));
    const result = await runCli(['validate', MEMBERS, '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"dialect.delimter": unknown key (did you mean "dialect.delimiter"?)');
    expect(result.stderr).toContain('"columns.member": unknown key (did you mean "columns.members"?)');
    expect(result.stderr).toContain('"columns.coupons.couponid": unknown key (did you mean "columns.coupons.coupon_id"?)');
    expect(result.stderr).toContain('"credentials.clientsecret": unknown key (did you mean "credentials.clientSecret"?)');
  });

  it.each([
    ['run', ['run']],
    ['schedule', ['schedule']],
    ['validate', ['validate', MEMBERS]],
    ['status', ['status']],
    ['explain', ['explain', 'M-1']],
    ['forget', ['forget', 'M-1']],
  ])('are refused by %s, and a file written for every command is read by it', async (_name, command) => {
    const dir = tempDir();
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ timezone: 'Europe/Oslo' }));
    const refused = await runCli([...command, '--config', typo], CREDENTIALS_ENV);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"timezone": unknown key (did you mean "timeZone"?)');

    // One config file serves every command: keys another command uses (status's limit and json,
    // validate's kind, schedule's cron) are not typos.
    const shared = join(dir, 'shared.json');
    writeFileSync(
      shared,
      // (A cron expression that is not one ends `schedule` at once, after the file was read.)
      JSON.stringify({ source: join(dir, 'nothing-here'), state: join(dir, 'none.sqlite'), reportDir: join(dir, 'r'), timeZone: 'Europe/Oslo', dialect: { delimiter: ',' }, columns: { members: {} }, cron: 'x', limit: 5, json: false, kind: 'members' }),
    );
    const read = await runCli([...command, '--config', shared], CREDENTIALS_ENV);
    expect(read.stderr).not.toContain('unknown key');
    // Each command got as far as using what the file says.
    expect(read.stderr + read.stdout).toMatch(/nothing-here|none\.sqlite|invalid cron expression "x"|members\.csv: 60 rows/);
  });
});

describe('missing credentials', () => {
  it('get the same message whether one or all four are missing, naming what to set', async () => {
    const dir = tempDir();
    const args = ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'r')];
    const none = await runCli(args, {});
    const { VIPPS_MERCHANT_SERIAL_NUMBER: _, ...three } = CREDENTIALS_ENV;
    const one = await runCli(args, three);
    for (const result of [none, one]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^loyalty-sync run: CONFIG_INVALID: API credentials are missing: set .*VIPPS_MERCHANT_SERIAL_NUMBER \(or "credentials" in the config file\), or use --dry-run/);
      expect(result.stderr).not.toMatch(/Invalid input|expected string|received undefined/);
    }
    expect(none.stderr).toContain('set VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY and VIPPS_MERCHANT_SERIAL_NUMBER');
    expect(one.stderr).toContain('set VIPPS_MERCHANT_SERIAL_NUMBER (or "credentials"');
    expect(one.stderr).toContain('VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET and VIPPS_SUBSCRIPTION_KEY are set, the API needs all four');
    // From the config file alike.
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ credentials: { clientId: 'c', clientSecret: 's' } }));
    const fromFile = await runCli([...args, '--config', config], {});
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('API credentials are missing: set VIPPS_SUBSCRIPTION_KEY and VIPPS_MERCHANT_SERIAL_NUMBER');
    // A dry run sends nothing and needs none.
    expect((await runCli([...args, '--dry-run'], three)).code).toBe(0);
  });
});
