// Free text and single values that reach a report, a log line, rejects.csv or a notification: anything
// that looks like a phone number (E.164, 00-prefixed, a Nordic national mobile) is masked, whatever column
// or message it came from; what only resembles one (dates, amounts, ids, times, hashes) stays as it was.
import { describe, expect, it } from 'vitest';
import { maskPhoneNumber, maskPhoneNumbersIn } from '../../src/privacy/phone-numbers.ts';

describe('maskPhoneNumbersIn', () => {
  it.each([
    ['phoneNumber +4741234567 is not a Vipps user', 'phoneNumber +47******67 is not a Vipps user'],
    ['+47 412 34 567', '+47******67'],
    ['call +46-70-942-05-39.', 'call +46*******39.'],
    ['+(47) 412-34-567 or +44 (0)20 7946 0018', '+47******67 or +44*********18'],
    ['"+358400714433","+4550870079"', '"+35********33","+45******79"'],
  ])('masks the E.164 number in %j', (text, masked) => {
    expect(maskPhoneNumbersIn(text)).toBe(masked);
  });

  it.each([
    // Norway (and Denmark's 4x/9x series): 8 digits starting with 4 or 9, as people type them.
    ['98765433', '******33'],
    ['joined_on: expected a date, got "98765433"', 'joined_on: expected a date, got "******33"'],
    ['987 65 433', '******33'],
    ['98 76 54 33', '******33'],
    ['tlf:41234567.', 'tlf:******67.'],
    // The international prefix.
    ['004798765433', '0047******33'],
    ['0047 987 65 433', '0047******33'],
    ['0046 70 123 45 67', '0046*******67'],
    // Denmark in pairs.
    ['20 12 34 56', '******56'],
    // Sweden and Finland with the trunk 0.
    ['070-123 45 67', '********67'],
    ['0701234567', '********67'],
    ['040 123 4567', '********67'],
    ['050 1234567', '********67'],
  ])('masks the national or 00-prefixed number in %j', (text, masked) => {
    expect(maskPhoneNumbersIn(text)).toBe(masked);
  });

  it.each([
    '20261125T020000.123Z-1a2b3c',
    'evt-77dc6503-7b48-5ee3-9a79-3f363b3985d9',
    '49876543-7b48-5ee3-9a79-123456789012',
    '2026-11-25T03:00:00+01:00',
    '24.11.2026 and 2026/11/24 and 20261124',
    'a11d9a3dc2ac404dc9111a5f6abcafaed9d392cbeccea78b7ee89363340ca602',
    'sha256 94876543a',
    '21,380 of 139,212 rows; +12 more; members.csv:13',
    'stamps_collected: expected a whole number ≥ 0',
    'amount: expected at most two decimals, got "98765433,505"',
    'amount 98765433.50 NOK',
    'members-98765433.csv',
    'M-98765433',
    'path /srv/98765433/members.csv',
    'time 1732500000000 and 123456789',
    '2024 2025 1200 1300',
  ])('leaves %j alone', (text) => {
    expect(maskPhoneNumbersIn(text)).toBe(text);
  });

  it('is idempotent: a masked number is not masked again', () => {
    const once = maskPhoneNumbersIn('+4741234567, 98765433, 0047 98765433');
    expect(maskPhoneNumbersIn(once)).toBe(once);
  });
});

describe('maskPhoneNumber', () => {
  it('keeps the country calling code as written and the last two digits', () => {
    expect(maskPhoneNumber('+4741234567')).toBe('+47******67');
    expect(maskPhoneNumber('0047 41234567')).toBe('0047******67');
    expect(maskPhoneNumber('412 34 567')).toBe('******67');
  });

  it('masks at least one character of a short or odd value', () => {
    expect(maskPhoneNumber('12')).toBe('**');
    expect(maskPhoneNumber('+4712')).toBe('+4*12');
    expect(maskPhoneNumber('not a phone')).toBe('not****ne');
  });
});
