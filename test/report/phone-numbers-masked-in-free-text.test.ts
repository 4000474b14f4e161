// Free text that reaches a report, a metric or a notification: any E.164-looking number in it is masked
// like the logs mask numbers; what only resembles one (ids, times, hashes, counts) stays as it was.
import { describe, expect, it } from 'vitest';
import { maskPhoneNumbersIn } from '../../src/ingest/phone.ts';

describe('maskPhoneNumbersIn', () => {
  it.each([
    ['phoneNumber +4741234567 is not a Vipps user', 'phoneNumber +47******67 is not a Vipps user'],
    ['+47 412 34 567', '+47******67'],
    ['call +46-70-942-05-39.', 'call +46*******39.'],
    ['+(47) 412-34-567 or +44 (0)20 7946 0018', '+47******67 or +44*********18'],
    ['"+358400714433","+4550870079"', '"+35********33","+45******79"'],
  ])('masks %j', (text, masked) => {
    expect(maskPhoneNumbersIn(text)).toBe(masked);
  });

  it.each([
    '20261125T020000.123Z-1a2b3c',
    'evt-77dc6503-7b48-5ee3-9a79-3f363b3985d9',
    '2026-11-25T03:00:00+01:00',
    'a11d9a3dc2ac404dc9111a5f6abcafaed9d392cbeccea78b7ee89363340ca602',
    '21,380 of 139,212 rows; +12 more; members.csv:13',
    'stamps_collected: expected a whole number ≥ 0',
  ])('leaves %j alone', (text) => {
    expect(maskPhoneNumbersIn(text)).toBe(text);
  });
});
