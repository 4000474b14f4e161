// Zone offsets are remembered per hour of UTC (src/base/time.ts): whatever order the instants come in,
// the remembered offset must be the one Intl gives for that very instant, also in an hour where the zone
// changes its offset at a time that is not on the hour.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactZoneOffsetMs, wallTimeToUtc, zoneOffsetMs } from '../../src/base/time.ts';

const HOUR_MS = 3_600_000;

/** Transitions off the UTC hour (a 30-minute shift, half-hour zones, a zone leaving mean time) and on it. */
const TRANSITIONS: [zone: string, at: string][] = [
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
  ['America/St_Johns', '2026-03-08T05:30:00Z'],
  ['America/St_Johns', '2026-11-01T04:30:00Z'],
  ['Africa/Monrovia', '1972-01-07T00:44:30Z'],
  ['Asia/Kathmandu', '1985-12-31T18:30:00Z'],
  ['Europe/Oslo', '2026-03-29T01:00:00Z'],
  ['Europe/Oslo', '2026-10-25T01:00:00Z'],
];

describe('zone offsets remembered per hour', () => {
  it('are the offset Intl gives for the instant, around transitions and anywhere, in any order', () => {
    const nearTransition = fc
      .tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }))
      .map(([[zone, at], delta]) => ({ zone, instant: Date.parse(at) + delta }));
    const anywhere = fc
      .tuple(fc.constantFrom(...new Set(TRANSITIONS.map(([zone]) => zone))), fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }))
      .map(([zone, instant]) => ({ zone, instant }));
    fc.assert(
      fc.property(fc.array(fc.oneof(nearTransition, anywhere), { minLength: 1, maxLength: 200 }), (probes) => {
        for (const { zone, instant } of probes) expect(zoneOffsetMs(instant, zone)).toBe(exactZoneOffsetMs(instant, zone));
      }),
      { numRuns: 300 },
    );
  });

  it('reads wall-clock times on both sides of a half-hour transition as Intl does', () => {
    // Lord Howe moves from +10:30 to +11:00 at 02:00 local time: 01:59 is still +10:30, 02:30 already +11:00.
    expect(wallTimeToUtc([2026, 10, 4, 1, 59, 0, 0], 'Australia/Lord_Howe')).toBe('2026-10-03T15:29:00Z');
    expect(wallTimeToUtc([2026, 10, 4, 2, 30, 0, 0], 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00Z');
    expect(wallTimeToUtc([2026, 10, 4, 3, 0, 0, 0], 'Australia/Lord_Howe')).toBe('2026-10-03T16:00:00Z');
  });
});
