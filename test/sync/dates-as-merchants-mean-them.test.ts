// Dates the way a Nordic merchant means them: "valid to 24.12" is valid the whole of the 24th (the last
// second of that day in --time-zone), "valid from 24.12" from its first second; --valid-to-date
// start-of-day keeps the old rule. Day-first date-times (`05.06.2021 14:30`) read under --date-format.
import { describe, expect, it } from 'vitest';
import { runCli } from '../fixtures/cli.ts';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const EXPORT = {
  'members.csv': 'contact_id;phone_number\nM1;41234001\n',
  'coupons.csv': 'contact_id;coupon_id;title;valid_from;valid_to\nM1;JUL;Julekake;24.12.2026;24.12.2026\n',
  'stamp_cards.csv': 'contact_id;stamp_card_id;title;stamps_required;stamps_collected;valid_to\nM1;S1;Kaffe;10;1;30.06.2026\n',
  'bonus_checks.csv': 'contact_id;bonus_check_id;amount;valid_from;valid_to\nM1;B1;100;01.07.2026;01.07.2026 18:00\n',
};

describe('bare valid_to dates', () => {
  it('mean the end of that day in the time zone, valid_from its start (winter and summer time)', async () => {
    const sandbox = await sandboxForTest();
    const night = await runNight(writeFiles(tempDir(), EXPORT), tempDir(), sandbox.url, ['--date-format', 'DD.MM.YYYY']);
    expect(night.code).toBe(0);
    const member = sandbox.member('M1')!;
    expect(member.coupons[0]).toMatchObject({ validFrom: '2026-12-23T23:00:00Z', validTo: '2026-12-24T22:59:59Z' });
    expect(member.stampCards[0]).toMatchObject({ validTo: '2026-06-30T21:59:59Z' });
    // A date-time is the time it says, whichever rule.
    expect(member.bonusChecks[0]).toMatchObject({ validFrom: '2026-06-30T22:00:00Z', validTo: '2026-07-01T16:00:00Z' });
  });

  it('mean the start of that day with --valid-to-date start-of-day, in another time zone too', async () => {
    const sandbox = await sandboxForTest();
    const night = await runNight(writeFiles(tempDir(), EXPORT), tempDir(), sandbox.url, ['--date-format', 'DD.MM.YYYY', '--valid-to-date', 'start-of-day', '--time-zone', 'Europe/Helsinki']);
    expect(night.code).toBe(0);
    const member = sandbox.member('M1')!;
    expect(member.coupons[0]).toMatchObject({ validFrom: '2026-12-23T22:00:00Z', validTo: '2026-12-23T22:00:00Z' });
    expect(member.stampCards[0]).toMatchObject({ validTo: '2026-06-29T21:00:00Z' });
  });

  it('refuses an unknown --valid-to-date as a configuration error (exit 2)', async () => {
    const result = await runCli(['validate', '--valid-to-date', 'midnight', `${writeFiles(tempDir(), EXPORT)}/coupons.csv`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('dialect.validToDate (--valid-to-date / LOYALTY_SYNC_VALID_TO_DATE)');
  });
});

describe('day-first date-times', () => {
  it.each([
    ['DD.MM.YYYY', '05.06.2021 14:30', '5.6.2021 14:30:15'],
    ['DD/MM/YYYY', '05/06/2021 14:30', '05/06/2021 14:30:15'],
    ['MM/DD/YYYY', '06/05/2021 14:30', '6/5/2021 14:30:15'],
  ])('are read under --date-format %s as wall time in the time zone', async (format, minutes, seconds) => {
    const sandbox = await sandboxForTest();
    const members = `contact_id;phone_number;joined_on\nM1;41234001;${minutes}\nM2;41234002;${seconds}\n`;
    const night = await runNight(writeFiles(tempDir(), { 'members.csv': members }), tempDir(), sandbox.url, ['--date-format', format]);
    expect(night.report.rows).toEqual({ read: 2, rejected: 0 });
    expect(sandbox.members().map((member) => member.member.joinedOn)).toEqual(['2021-06-05T12:30:00Z', '2021-06-05T12:30:15Z']);
  });
});
