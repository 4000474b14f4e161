// Scalar parsers for CSV cells. Each returns the canonical value or an `Invalid` that says what was
// expected, so that re-formatted input ("50.00" vs "50,00", " 120 ", "ja" vs "true") canonicalises to the
// same value and never counts as a change.
import { calendarInstant, formatUtc, wallTimeToUtc, type WallTime } from '../base/time.ts';
import type { IngestConfig } from '../config/schema.ts';

export class Invalid {
  readonly expected: string;
  constructor(expected: string) {
    this.expected = expected;
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'ja', 'j']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'nei', 'nej']);

export function parseBoolean(text: string): boolean | Invalid {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return new Invalid('a boolean (true/false, 1/0, yes/no, ja/nei)');
}

// Spaces (also no-break and thin spaces, as Nordic spreadsheets write them) may group thousands.
const GROUPING_SPACES = /[\s\u00a0\u202f]/g;

export interface Range {
  min?: number;
  max?: number;
}

export function parseInteger(text: string, { min, max }: Range = {}): number | Invalid {
  const compact = text.trim().replace(GROUPING_SPACES, '');
  const expected =
    max !== undefined ? `a whole number from ${min ?? 0} to ${max}` : min !== undefined ? `a whole number ≥ ${min}` : 'a whole number';
  if (!/^[+-]?\d{1,15}$/.test(compact)) return new Invalid(expected);
  const value = Number(compact);
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) return new Invalid(expected);
  return value;
}

/**
 * A decimal in major units with at most two decimals, `.` or `,` as decimal separator, returned in minor
 * units (øre/cents) as an exact integer. "1,000" is refused rather than guessed (1.000 or 1000?).
 */
export function parseMinorUnits(text: string): number | Invalid {
  const compact = text.trim().replace(GROUPING_SPACES, '');
  const match = /^(\d{1,13})(?:[.,](\d{1,2}))?$/.exec(compact);
  if (!match) return new Invalid('an amount in major units like 50, 50.00 or 50,00');
  const fraction = (match[2] ?? '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(fraction);
}

/** A plain decimal number with `.` or `,` as decimal separator (e.g. a percentage "12,5"). */
export function parseDecimal(text: string): number | Invalid {
  const compact = text.trim().replace(GROUPING_SPACES, '');
  if (!/^\d{1,13}(?:[.,]\d{1,6})?$/.test(compact)) return new Invalid('a number like 10 or 12,5');
  return Number(compact.replace(',', '.'));
}

export type DateFormat = IngestConfig['dialect']['dateFormat'];
/** Which instant a bare date stands for: its first second, or its last (a `valid_to` date means the whole day). */
export type BareDate = IngestConfig['dialect']['validToDate'];

// Spreadsheets write day-first date-times as `05.06.2021 14:30` or `05.06.2021 14:30:00`.
const WALL_TIME = String.raw`(?:[ T]+(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2}))?)?`;
const DATE_PATTERNS: Record<DateFormat, RegExp> = {
  'YYYY-MM-DD': /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})$/,
  'DD.MM.YYYY': new RegExp(String.raw`^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})${WALL_TIME}$`),
  'DD/MM/YYYY': new RegExp(String.raw`^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})${WALL_TIME}$`),
  'MM/DD/YYYY': new RegExp(String.raw`^(?<m>\d{1,2})\/(?<d>\d{1,2})\/(?<y>\d{4})${WALL_TIME}$`),
};
/** Earlier years are placeholders or typos (`0001-01-01`, `0202`), not real dates. */
const FIRST_YEAR = 1900;

/** A date-time in UTC to the second, the form parseDateTime returns: when it is a real time, it is its own result. */
const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date-time (with or without offset), or a date (with or without a wall time) in the
 * configured format, returned as an RFC 3339 UTC string. A date-time without offset is wall time in
 * `timeZone`; a bare date is the first second of that day there, or its last (23:59:59) for `end-of-day`.
 */
export function parseDateTime(text: string, timeZone: string, dateFormat: DateFormat, bareDate: BareDate = 'start-of-day'): string | Invalid {
  const value = text.trim();
  const expected = `a date (${dateFormat}) or an ISO 8601 date-time`;
  const canonical = CANONICAL_UTC.exec(value);
  if (canonical) {
    const [, y, mo, d, h, mi, s] = canonical;
    const real = Number(y) >= FIRST_YEAR && calendarInstant([Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), 0]) !== undefined;
    return real ? value : new Invalid(expected);
  }
  const date = DATE_PATTERNS[dateFormat].exec(value) ?? DATE_PATTERNS['YYYY-MM-DD'].exec(value);
  if (date?.groups) {
    const { y, m, d, h, mi, s } = date.groups as Record<string, string | undefined>;
    if (Number(y) < FIRST_YEAR) return new Invalid(expected);
    const time = h !== undefined ? [Number(h), Number(mi), Number(s ?? 0)] : bareDate === 'end-of-day' ? [23, 59, 59] : [0, 0, 0];
    return wallTimeToUtc([Number(y), Number(m), Number(d), time[0]!, time[1]!, time[2]!, 0], timeZone) ?? new Invalid(expected);
  }
  const match = DATE_TIME.exec(value);
  if (!match || Number(match[1]) < FIRST_YEAR) return new Invalid(expected);
  const [, y, mo, d, h, mi, s = '0', fraction = '', offset] = match;
  const parts: WallTime = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(fraction.slice(0, 3).padEnd(3, '0'))];
  if (!offset) return wallTimeToUtc(parts, timeZone) ?? new Invalid(expected);
  const asUtc = calendarInstant(parts);
  if (asUtc === undefined) return new Invalid(expected);
  return formatUtc(asUtc - offsetMinutes(offset) * 60_000);
}

function offsetMinutes(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const digits = offset.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}


