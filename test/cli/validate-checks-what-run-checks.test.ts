// `validate` checks what `run` checks, through the same code: the same rejects (item rows whose member is
// not in the members file, duplicate keys, bad values), the same file errors (a mapped column missing)
// and the same refusal of an empty or header-only members file. Exit 0 only when everything is valid.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { runNight } from '../fixtures/merchant.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const MEMBERS = 'contact_id;phone_number\nM1;41234001\nM2;41234002\n';

async function bothOn(files: Record<string, string>, flags: string[] = []) {
  const dir = writeFiles(tempDir(), files);
  const csvFiles = readdirSync(dir).filter((name) => name.endsWith('.csv')).map((name) => join(dir, name));
  const validate = await runCli(['validate', ...csvFiles, ...flags]);
  // A dry run needs no API: everything up to the plan, as a night would do it.
  const run = await runNight(dir, tempDir(), 'http://127.0.0.1:9', ['--dry-run', ...flags]);
  const rejectedByRun = run.rejects.slice(1).map(([file, line, column]) => `${file}:${line} ${column}`);
  const rejectedByValidate = validate.stdout
    .split('\n')
    .filter((line) => /:\d+ /.test(line))
    .map((line) => line.slice(dir.length + 1).replace(/: .*/, ''));
  return { validate, run, rejectedByRun, rejectedByValidate };
}

describe('validate and run agree', () => {
  it('on a valid export: exit 0 from both', async () => {
    const { validate, run } = await bothOn({ 'members.csv': MEMBERS, 'coupons.csv': 'contact_id;coupon_id;title\nM1;C1;Kaffe\n' });
    expect([validate.code, run.code]).toEqual([0, 0]);
  });

  it('on item rows whose member is not in members.csv, and duplicate keys: the same rejects, exit 1 from validate', async () => {
    const { validate, run, rejectedByRun, rejectedByValidate } = await bothOn({
      'members.csv': `${MEMBERS}M2;41234003\n`,
      'coupons.csv': 'contact_id;coupon_id;title\nM1;C1;Kaffe\nM9;C1;Kaffe\nM1;C1;Bolle\n',
    });
    expect(validate.code).toBe(1);
    expect(run.code).toBe(0);
    expect(rejectedByValidate.sort()).toEqual(['coupons.csv:3 contact_id', 'coupons.csv:4 coupon_id', 'members.csv:4 contact_id']);
    expect(rejectedByRun.sort()).toEqual(rejectedByValidate.sort());
    expect(validate.stdout).toContain('1 item row(s) whose member is not in the members file');
  });

  it.each([
    ['a header-only members file', 'contact_id;phone_number\n'],
    ['an empty members file', ''],
  ])('on %s: both refuse it with exit 4', async (_, members) => {
    const { validate, run } = await bothOn({ 'members.csv': members });
    expect([validate.code, run.code]).toEqual([4, 4]);
    expect(validate.stderr).toContain('GUARD_EMPTY_FILE');
    expect(run.report.error?.code).toBe('GUARD_EMPTY_FILE');
  });

  it('on a mapped column missing from the file: both fail with CSV_MISSING_COLUMN, exit 1', async () => {
    const config = writeFiles(tempDir(), { 'config.json': '{"columns":{"members":{"tier":"Niva"}}}' });
    const { validate, run } = await bothOn({ 'members.csv': 'contact_id;phone_number;Nivå\nM1;41234001;gull\n' }, ['--config', join(config, 'config.json')]);
    expect([validate.code, run.code]).toEqual([1, 1]);
    expect(validate.stderr).toContain('CSV_MISSING_COLUMN');
    expect(validate.stderr).toContain('closest match "Nivå"');
    expect(run.report.error?.code).toBe('CSV_MISSING_COLUMN');
  });
});
