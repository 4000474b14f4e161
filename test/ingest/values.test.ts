import { describe, expect, it } from 'vitest';
import { normalisePhoneNumber } from '../../src/ingest/phone.ts';
import { Invalid, parseBoolean, parseDateTime, parseDecimal, parseInteger, parseMinorUnits } from '../../src/ingest/values.ts';
import { maskPhoneNumber } from '../../src/privacy/phone-numbers.ts';

describe('cell values', () => {
  it('normalises the usual ways of writing Nordic phone numbers to E.164', () => {
    expect(['41234567', '+47 412 34 567', '0047 41234567', '412-34-567'].map((text) => normalisePhoneNumber(text, 'NO'))).toEqual(
      Array(4).fill('+4741234567'),
    );
    expect(normalisePhoneNumber('+46 70 123 45 67', 'NO')).toBe('+46701234567');
    expect(normalisePhoneNumber('070-123 45 67', 'SE')).toBe('+46701234567');
    expect(normalisePhoneNumber('12', 'NO')).toBeInstanceOf(Invalid);
  });

  it('takes a phone number only when the whole cell is one, without an extension', () => {
    for (const text of ['+47 987 65 437 x', '41234567 41234567', '41234567;', '41234567 ext. 12', 'tel +4741234567']) {
      expect(normalisePhoneNumber(text, 'NO')).toBeInstanceOf(Invalid);
    }
  });

  it('masks all but the country prefix and the last two digits', () => {
    expect(maskPhoneNumber('+4741234567')).toBe('+47******67');
    expect(maskPhoneNumber('12')).toBe('**');
  });

  it('reads booleans in English and Scandinavian', () => {
    expect(['true', 'JA', 'yes', '1', 'j'].map(parseBoolean)).toEqual([true, true, true, true, true]);
    expect(['false', 'Nei', 'nej', '0', 'no'].map(parseBoolean)).toEqual([false, false, false, false, false]);
    expect(parseBoolean('maybe')).toBeInstanceOf(Invalid);
  });

  it('reads integers with grouping spaces and refuses decimals', () => {
    expect(parseInteger(' 1 200 ')).toBe(1200);
    expect(parseInteger('1\u00a0200')).toBe(1200);
    expect(parseInteger('0120')).toBe(120);
    expect(parseInteger('12.5')).toBeInstanceOf(Invalid);
    expect(parseInteger('-1', { min: 0 })).toBeInstanceOf(Invalid);
  });

  it('turns major-unit amounts into exact minor units, with . or , as decimal separator', () => {
    expect(['50', '50.00', '50,00', '50,0', ' 1 050,50 '].map(parseMinorUnits)).toEqual([5000, 5000, 5000, 5000, 105050]);
    expect(parseMinorUnits('0.1')).toBe(10);
    // Three decimals is a thousands separator or a typo: refused rather than guessed.
    expect(parseMinorUnits('1,000')).toBeInstanceOf(Invalid);
    expect(parseDecimal('12,5')).toBe(12.5);
  });

  it('reads a bare date as midnight in the configured time zone, across DST', () => {
    expect(parseDateTime('2026-01-15', 'Europe/Oslo', 'YYYY-MM-DD')).toBe('2026-01-14T23:00:00Z');
    expect(parseDateTime('2026-07-15', 'Europe/Oslo', 'YYYY-MM-DD')).toBe('2026-07-14T22:00:00Z');
    expect(parseDateTime('15.07.2026', 'Europe/Oslo', 'DD.MM.YYYY')).toBe('2026-07-14T22:00:00Z');
    expect(parseDateTime('2026-03-29', 'Europe/Helsinki', 'YYYY-MM-DD')).toBe('2026-03-28T22:00:00Z');
  });

  it('keeps an explicit offset and reads a date-time without one as wall time in the zone', () => {
    expect(parseDateTime('2026-01-15T10:00:00Z', 'Europe/Oslo', 'YYYY-MM-DD')).toBe('2026-01-15T10:00:00Z');
    expect(parseDateTime('2026-01-15T10:00:00+02:00', 'Europe/Oslo', 'YYYY-MM-DD')).toBe('2026-01-15T08:00:00Z');
    expect(parseDateTime('2026-01-15 10:00', 'Europe/Oslo', 'YYYY-MM-DD')).toBe('2026-01-15T09:00:00Z');
    expect(parseDateTime('2026-01-15T10:00:00.250Z', 'UTC', 'YYYY-MM-DD')).toBe('2026-01-15T10:00:00.250Z');
  });

  it('returns a UTC date-time to the second as the same instant, in any zone', () => {
    // Such values skip the general parse; the instants written by toISOString are the oracle.
    for (let instant = Date.UTC(1900, 0, 1); instant < Date.UTC(2100, 0, 1); instant += 7_777_777_000) {
      const text = new Date(instant).toISOString().replace('.000Z', 'Z');
      expect(parseDateTime(text, 'Europe/Oslo', 'DD.MM.YYYY')).toBe(text);
      expect(parseDateTime(text.replace('T', ' '), 'America/New_York', 'YYYY-MM-DD')).toBe(text);
    }
  });

  it('reads a bare date as the last second of that day when asked (valid_to), across DST', () => {
    expect(parseDateTime('2026-12-24', 'Europe/Oslo', 'YYYY-MM-DD', 'end-of-day')).toBe('2026-12-24T22:59:59Z');
    expect(parseDateTime('24.12.2026', 'Europe/Oslo', 'DD.MM.YYYY', 'end-of-day')).toBe('2026-12-24T22:59:59Z');
    // The day summer time starts (Oslo, 29 March 2026) has 23 hours: its end is still 23:59:59 local.
    expect(parseDateTime('2026-03-29', 'Europe/Oslo', 'YYYY-MM-DD', 'end-of-day')).toBe('2026-03-29T21:59:59Z');
    expect(parseDateTime('2026-12-24T12:00:00Z', 'Europe/Oslo', 'YYYY-MM-DD', 'end-of-day')).toBe('2026-12-24T12:00:00Z');
  });

  it('reads day-first date-times with minutes or seconds under the matching format only', () => {
    expect(parseDateTime('05.06.2021 14:30', 'Europe/Oslo', 'DD.MM.YYYY')).toBe('2021-06-05T12:30:00Z');
    expect(parseDateTime('05.06.2021 14:30:00', 'Europe/Oslo', 'DD.MM.YYYY', 'end-of-day')).toBe('2021-06-05T12:30:00Z');
    expect(parseDateTime('05/06/2021 9:05', 'Europe/Oslo', 'DD/MM/YYYY')).toBe('2021-06-05T07:05:00Z');
    expect(parseDateTime('06/05/2021 14:30:15', 'Europe/Oslo', 'MM/DD/YYYY')).toBe('2021-06-05T12:30:15Z');
    expect(parseDateTime('05.06.2021 14:30', 'Europe/Oslo', 'YYYY-MM-DD')).toBeInstanceOf(Invalid);
    expect(parseDateTime('05.06.2021 24:30', 'Europe/Oslo', 'DD.MM.YYYY')).toBeInstanceOf(Invalid);
  });

  it('refuses dates that do not exist', () => {
    for (const text of ['2026-13-45', '2026-02-29', '31.04.2026', '2026-01-15T25:00:00Z', 'yesterday', '0001-01-01', '1899-12-31T10:00:00Z', '2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-01-15T10:60:00Z', '2026-01-15T10:00:60Z']) {
      expect(parseDateTime(text, 'Europe/Oslo', text.includes('.') ? 'DD.MM.YYYY' : 'YYYY-MM-DD')).toBeInstanceOf(Invalid);
    }
  });
});
