// How many threads plan tonight (src/run/plan-lanes.ts): `--plan-threads` as given, `auto` two on two
// cores for a large export only, and one for a backfill of listed contacts whatever was asked.
import { describe, expect, it } from 'vitest';
import { laneCount, PLAN_LANES_FROM_MEMBERS } from '../../src/run/plan-lanes.ts';

const ALL_PARTS = { parts: new Set(['members', 'coupons', 'stampCards', 'bonusChecks'] as const) };

describe('plan lane count', () => {
  it('auto: two lanes on two or more cores from the threshold on, one below it or on one core', () => {
    expect(laneCount('auto', PLAN_LANES_FROM_MEMBERS - 1, 2, undefined)).toBe(1);
    expect(laneCount('auto', PLAN_LANES_FROM_MEMBERS, 2, undefined)).toBe(2);
    expect(laneCount('auto', PLAN_LANES_FROM_MEMBERS, 8, undefined)).toBe(2);
    expect(laneCount('auto', 10 * PLAN_LANES_FROM_MEMBERS, 1, undefined)).toBe(1);
  });

  it('a number is taken as given, at any size; a full backfill does not change it', () => {
    expect(laneCount(3, 10, 2, undefined)).toBe(3);
    expect(laneCount(1, 10 * PLAN_LANES_FROM_MEMBERS, 2, ALL_PARTS)).toBe(1);
    expect(laneCount(2, 10, 1, ALL_PARTS)).toBe(2);
  });

  it('a backfill of listed contacts plans in one lane', () => {
    expect(laneCount(3, 10 * PLAN_LANES_FROM_MEMBERS, 2, { ...ALL_PARTS, contacts: new Set(['M-1']) })).toBe(1);
    expect(laneCount('auto', 10 * PLAN_LANES_FROM_MEMBERS, 2, { ...ALL_PARTS, contacts: new Set(['M-1']) })).toBe(1);
  });
});
