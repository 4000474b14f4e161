// The harness of `npm run bench`, run at a small size: every figure gets measured and the runs behind them
// are right (a rerun of an unchanged export plans nothing; the sandbox accepts every event it is sent).
// No figure is held to a number here: the machine running the tests may be loaded, and targets belong to
// the full benchmark (`npm run bench`), which prints them.
import { describe, expect, it, onTestFinished } from 'vitest';
import { runBenchmark, type BenchOptions } from '../../src/bench/run-benchmark.ts';
import { FIGURES } from '../../src/bench/targets.ts';
import { COMPILE_CACHE } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/temp.ts';

// The smallest sizes that still give every figure something to measure: nearly all of the time goes to
// starting the ~40 child processes behind the figures, not to the members.
const SIZES = {
  members: 200,
  smallMembers: 50,
  deliveryMembers: 50,
  // The large size: the no-change ratio then reuses the plan ratio's dry run instead of running one more.
  noChangeMembers: 200,
  growthMembers: 50,
  growthNights: 1,
  manyCouponsMembers: 50,
  // The rate-limited run must send more events than the rate limit's initial burst (a second's worth),
  // or no steady rate is left to measure: 50 members plan ~140 events.
  limitMembers: 50,
  rateLimit: 100,
  sandboxLoadEvents: 200,
  fleetMerchants: 2,
  fleetMembers: 50,
  fleetMerchantConcurrency: 2,
} satisfies Partial<BenchOptions>;

describe('benchmark harness (small size)', () => {
  it('measures every figure, and its runs are correct', async () => {
    // The harness starts ~40 children (job runs, sandboxes, generators) that load the same modules: with
    // Node's compile cache (which they inherit from this process's env) each reuses the type-stripped,
    // compiled modules of those before it, ~40% of a child's CPU.
    const compileCache = process.env.NODE_COMPILE_CACHE;
    process.env.NODE_COMPILE_CACHE = COMPILE_CACHE;
    onTestFinished(() => {
      if (compileCache === undefined) delete process.env.NODE_COMPILE_CACHE;
      else process.env.NODE_COMPILE_CACHE = compileCache;
    });
    const lines: string[] = [];
    const started = performance.now();
    const results = await runBenchmark({
      ...SIZES,
      seed: 1,
      // Night 2 changes a fifth of the members: at these sizes 2% would leave it one change, maybe none to
      // the coupons or stamp cards whose bytes the item-events figure compares.
      changeRate: 0.2,
      manyCoupons: { min: 10, max: 20 },
      concurrency: 8,
      latencyMs: 1,
      capacity: 24,
      noChangeBudgetMinutes: 15,
      // Still more than the 0.5 s a history window's boundary is put after a night: it falls between nights.
      growthGapMs: 1_000,
      repeat: 1,
      profile: false,
      dataDir: tempDir('loyalty-sync-bench-data-'),
      workDir: tempDir('loyalty-sync-bench-work-'),
      keepWork: false,
      log: (line) => lines.push(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`),
    });
    const log = lines.join('\n');
    const measured = Object.fromEntries(results.figures.map((figure) => [figure.key, figure.value]));
    expect(Object.keys(measured).sort()).toEqual(FIGURES.map((figure) => figure.key).sort());
    for (const figure of results.figures) {
      expect(figure.value, `${figure.key} was not measured:\n${log}`).not.toBeNull();
      expect(Number.isFinite(figure.value), `${figure.key} = ${figure.value}`).toBe(true);
      // A growth may be negative (the large run peaked lower), a share of 429s may be none; every other
      // figure is a positive time ratio, size or rate.
      if (figure.key === 'rateLimit429Share') expect(figure.value, figure.key).toBeGreaterThanOrEqual(0);
      else if (figure.key !== 'rssGrowth') expect(figure.value, figure.key).toBeGreaterThan(0);
    }
    // The first real run (checked 'succeeded' by the harness) sent every member; its unchanged rerun plans nothing.
    expect(results.noChange).toMatchObject({ members: SIZES.members, buildStatus: 'succeeded', rerunStatus: 'succeeded', rerunEventsPlanned: 0 });
    expect(results.rawDelivery.events).toBe(results.noChange.buildEvents);
    expect(results.rawDelivery.events).toBeGreaterThan(SIZES.members);
    expect(results.sandboxLoad.notAccepted).toBe(0);
    expect(results.sandboxLoad.events).toBe(SIZES.sandboxLoadEvents);
    // Auto and every fixed setting delivered the whole export (each run is checked 'succeeded').
    expect(Object.keys(results.autoVsFixed.eventsPerSecByRound).sort()).toEqual(['16', '32', '4', '64', '8', 'auto']);
    // The fleet dry run planned every merchant (checked by the harness) and each was also planned alone.
    expect(results.fleet).toMatchObject({ merchants: SIZES.fleetMerchants, membersPerMerchant: SIZES.fleetMembers, merchantConcurrency: SIZES.fleetMerchantConcurrency });
    expect(results.fleet.aloneMs).toHaveLength(SIZES.fleetMerchants);
    const { best } = results.rateLimited;
    expect(best.events).toBeGreaterThan(SIZES.rateLimit);
    expect(best.requests).toBeGreaterThanOrEqual(best.events + best.answered429);
    // The state file's figures come from the no-change runs and from 2 + 1 real nights, each of which sent something.
    expect(results.stateFile).toMatchObject({ members: SIZES.members, openMs: { rounds: [expect.any(Number), expect.any(Number), expect.any(Number)] } });
    expect(results.stateGrowth.nights.map((night) => night.night)).toEqual([1, 2, 3]);
    for (const night of results.stateGrowth.nights) expect(night.events, `night ${night.night}`).toBeGreaterThan(0);
    expect(results.stateGrowth.itemBytes.autoByAction).not.toEqual(results.stateGrowth.itemBytes.syncedByAction);
    // The same bytes on a club whose members hold 10–20 coupons: its own export, its own night 1.
    const many = results.itemBytesManyCoupons;
    expect(many).toMatchObject({ members: SIZES.manyCouponsMembers, couponsPerMember: { min: 10, max: 20 } });
    expect(many.autoBytes).toBeGreaterThan(0);
    expect(many.autoByAction).not.toEqual(many.syncedByAction);
    expect(Object.keys(results.exports)).toContain(`${SIZES.manyCouponsMembers} holding 10-20 coupons`);
    // What no mode changes is part of what both modes send, so it bounds the ratio from below.
    for (const bytes of [results.stateGrowth.itemBytes, many]) {
      expect(bytes.sameInEveryModeBytes).toBeGreaterThan(0);
      expect(bytes.sameInEveryModeBytes).toBeLessThanOrEqual(bytes.autoBytes);
      expect(bytes.floorRatio).toBeLessThanOrEqual(bytes.ratio);
      expect(bytes.decidedRatio).toBeLessThanOrEqual(1);
    }
  });
});
