// Values outside what a loyalty club can mean are rejects with their line, not data sent to the API: a
// phone number in the points column, a phone number with junk after it, a pasted document in a title. A
// header that names a column twice is an error naming both. Checked with `validate`, as a merchant would.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const validate = (dir: string, names: string[], flags: string[] = []) => runCli(['validate', ...names.map((name) => join(dir, name)), ...flags]);
const rejectLines = (stdout: string) => stdout.split('\n').filter((line) => /:\d+ /.test(line)).map((line) => line.slice(line.lastIndexOf('/') + 1));

describe('value limits', () => {
  it('rejects out-of-range points, phones with trailing junk or an extension, and over-long texts', async () => {
    const dir = writeFiles(tempDir(), {
      'members.csv': [
        'contact_id;phone_number;bonus_points;tier',
        'M1;41234001;4 798 765 432;gold',
        'M2;41234002;-5;gold',
        'M3;+47 987 65 437 x;10;gold',
        'M4;41234004 ext. 12;10;gold',
        'M5;41234005;10;' + 'g'.repeat(51),
        'M6;41234006;9 999 999;' + 'g'.repeat(50),
        'M7;41234007;10;gold',
      ].join('\n'),
    });
    const result = await validate(dir, ['members.csv']);
    expect(result.code).toBe(1);
    // Phone numbers are shown masked (how exactly is the privacy rule's business), never in full.
    const withoutPhones = rejectLines(result.stdout).map((line) => (line.includes(' phone_number: ') ? line.replace(/, got ".*"$/, '') : line));
    expect(withoutPhones).toEqual([
      'members.csv:2 bonus_points: expected a whole number from 0 to 9999999, got "4 798 765 432"',
      'members.csv:3 bonus_points: expected a whole number from 0 to 9999999, got "-5"',
      'members.csv:4 phone_number: expected a valid phone number (numbers without country code are read as NO)',
      'members.csv:5 phone_number: expected a valid phone number (numbers without country code are read as NO)',
      `members.csv:6 tier: expected a text of at most 50 characters, got "${'g'.repeat(51)}"`,
    ]);
    expect(result.stdout).not.toMatch(/987 65 437|41234004/);
    expect(result.stdout).toContain('members.csv: 7 rows, 5 rejected');
  });

  it('rejects item values beyond their limits: texts, amounts, stamps and placeholder dates', async () => {
    const dir = writeFiles(tempDir(), {
      'members.csv': 'contact_id,phone_number\nM1,41234001\n',
      'coupons.csv': [
        'contact_id,coupon_id,title,description,discount_type,discount_value,valid_to',
        `M1,C1,${'t'.repeat(101)},,,,`,
        `M1,C2,Kaffe,${'d'.repeat(1001)},,,`,
        'M1,C3,Kaffe,,amount,0,',
        'M1,C4,Kaffe,,amount,100000.01,',
        'M1,C5,Kaffe,,,,0001-01-01',
        `M1,C6,${'t'.repeat(100)},${'d'.repeat(1000)},amount,"100000,00",9999-12-31`,
      ].join('\n'),
      'bonus_checks.csv': 'contact_id,bonus_check_id,amount\nM1,B1,200000\nM1,B2,100000\n',
      'stamp_cards.csv': 'contact_id,stamp_card_id,title,stamps_required,stamps_collected\nM1,S1,Kaffe,5000,1\nM1,S2,Kaffe,1000,1\n',
    });
    const result = await validate(dir, ['members.csv', 'coupons.csv', 'bonus_checks.csv', 'stamp_cards.csv']);
    expect(result.code).toBe(1);
    expect(rejectLines(result.stdout).map((line) => line.replace(/, got .*/, ''))).toEqual([
      'coupons.csv:2 title: expected a text of at most 100 characters',
      'coupons.csv:3 description: expected a text of at most 1000 characters',
      'coupons.csv:4 discount_value: expected an amount above 0 and at most 100000 in major units, like 50, 50.00 or 50,00',
      'coupons.csv:5 discount_value: expected an amount above 0 and at most 100000 in major units, like 50, 50.00 or 50,00',
      'coupons.csv:6 valid_to: expected a date (YYYY-MM-DD) or an ISO 8601 date-time',
      'stamp_cards.csv:2 stamps_required: expected a whole number from 1 to 1000',
      'bonus_checks.csv:2 amount: expected an amount at most 100000 in major units, like 50, 50.00 or 50,00',
    ]);
  });
});

describe('a header that names a column twice', () => {
  it.each([
    ['the same name in another case', 'contact_id;phone_number;tier;TIER\nM1;41234001;gold;silver\n', '{}', 'columns 3 ("tier") and 4 ("TIER")'],
    ['a mapped name, once composed and once decomposed', 'Kunde;Mobil;Nivå;Niva\u030a\nM1;41234001;gold;silver\n', '{"members":{"contact_id":"Kunde","phone_number":"Mobil","tier":"Nivå"}}', 'columns 3 ("Nivå") and 4 ("Niva\u030a")'],
  ])('is an error naming the file and both columns: %s', async (_, members, columns, named) => {
    const dir = writeFiles(tempDir(), { 'members.csv': members, 'config.json': `{"columns":${columns}}` });
    const result = await validate(dir, ['members.csv'], ['--config', join(dir, 'config.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CSV_DUPLICATE_COLUMN');
    expect(result.stderr).toMatch(/members\.csv:1 \(.+\): /);
    expect(result.stderr).toContain(named);
  });

  it('ignores a doubled column the job does not read', async () => {
    const dir = writeFiles(tempDir(), { 'members.csv': 'contact_id;phone_number;note;Note\nM1;41234001;a;b\n' });
    expect((await validate(dir, ['members.csv'])).code).toBe(0);
  });

  it('refuses a config that maps two columns to one header (exit 2)', async () => {
    const dir = writeFiles(tempDir(), {
      'members.csv': 'Kunde;Mobil\nM1;41234001\n',
      'config.json': '{"columns":{"members":{"contact_id":"Kunde","phone_number":"Mobil","tier":"kunde"}}}',
    });
    const result = await validate(dir, ['members.csv'], ['--config', join(dir, 'config.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('columns.members.tier: maps contact_id and tier to the same header "kunde"');
  });
});
