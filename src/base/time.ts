// Instants and time zones as the job writes and checks them.

export const DAY_MS = 86_400_000;

/** The instant `days` days before `instant`. */
export function daysBefore(instant: Date, days: number): Date {
  return new Date(instant.getTime() - days * DAY_MS);
}

/** RFC 3339 in UTC, without milliseconds when they are zero (`2026-01-15T10:00:00Z`). */
export function formatUtc(instant: number): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export type WallTime = [year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number];

/** Wall-clock time in a zone → UTC instant, or undefined when the fields are not a real calendar time. */
export function wallTimeToUtc(wallTime: WallTime, timeZone: string): string | undefined {
  const asUtc = calendarInstant(wallTime);
  if (asUtc === undefined) return undefined;
  if (timeZone === 'UTC') return formatUtc(asUtc);
  // The zone's offset at that instant; a second pass settles instants near a DST switch.
  let instant = asUtc - zoneOffsetMs(asUtc, timeZone);
  instant = asUtc - zoneOffsetMs(instant, timeZone);
  return formatUtc(instant);
}

/** The fields read as UTC, in epoch milliseconds; undefined when they are not a real calendar time (Feb 30, 24:00). */
export function calendarInstant([year, month, day, hour, minute, second, ms]: WallTime): number | undefined {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return asUtc;
}

const HOUR_MS = 3_600_000;
/** Hours remembered per zone: ~11 years of them, a few MB. */
const MAX_CACHED_HOURS = 100_000;
const offsetsByHour = new Map<string, Map<number, number>>();

/**
 * A zone's offset from UTC at `instant`, in ms. Intl takes microseconds to say it, and a members file
 * of wall-clock date-times asks for a distinct second on every row; but an offset only changes at the
 * zone's transitions, months apart. So it is remembered per hour of UTC, when that hour starts and ends
 * with the same offset: no transition falls inside it (unless two fell within the hour and undid each
 * other, which no zone's history has). An hour with a transition is computed every time.
 */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  let hours = offsetsByHour.get(timeZone);
  if (!hours) offsetsByHour.set(timeZone, (hours = new Map()));
  const hour = Math.floor(instant / HOUR_MS);
  const known = hours.get(hour);
  if (known !== undefined) return known;
  const offset = exactZoneOffsetMs(instant, timeZone);
  const start = hour * HOUR_MS;
  const steady = exactZoneOffsetMs(start, timeZone) === offset && exactZoneOffsetMs(start + HOUR_MS - 1000, timeZone) === offset;
  if (steady && hours.size < MAX_CACHED_HOURS) hours.set(hour, offset);
  return offset;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The offset as Intl says it, to the second: the wall-clock time at `instant` in the zone, read as UTC, minus the instant. */
export function exactZoneOffsetMs(instant: number, timeZone: string): number {
  let format = offsetFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormatters.set(timeZone, format);
  }
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) fields[part.type] = Number(part.value);
  const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => parts.find((candidate) => candidate.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}
