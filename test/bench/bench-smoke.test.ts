// The harness of `npm run bench`, run at a small size: every figure gets measured and the runs behind them
// are right (a rerun of an unchanged export plans nothing; the sandbox accepts every event it is sent).
// No figure is held to a number here: the machine running the tests may be loaded, and targets belong to
// the full benchmark (`npm run bench`), which prints them.
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/bench/run-benchmark.ts';
import { FIGURES } from '../../src/bench/targets.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('benchmark harness (small size)', () => {
  it('measures every figure, and its runs are correct', { timeout: 900_000 }, async () => {
    const lines: string[] = [];
    const results = await runBenchmark({
      members: 2_000,
      smallMembers: 500,
      deliveryMembers: 500,
      seed: 1,
      changeRate: 0.02,
      concurrency: 8,
      latencyMs: 5,
      sandboxLoadEvents: 1_000,
      limitMembers: 100,
      rateLimit: 200,
      capacity: 24,
      noChangeMembers: 2_000,
      noChangeBudgetMinutes: 15,
      growthMembers: 500,
      growthNights: 2,
      repeat: 1,
      fleetMerchants: 3,
      fleetMembers: 300,
      fleetMerchantConcurrency: 2,
      profile: false,
      dataDir: tempDir('loyalty-sync-bench-data-'),
      workDir: tempDir('loyalty-sync-bench-work-'),
      keepWork: false,
      log: (line) => lines.push(line),
    });
    const measured = Object.fromEntries(results.figures.map((figure) => [figure.key, figure.value]));
    expect(Object.keys(measured).sort()).toEqual(FIGURES.map((figure) => figure.key).sort());
    for (const figure of results.figures) {
      expect(figure.value, `${figure.key} was not measured:\n${lines.join('\n')}`).not.toBeNull();
      expect(Number.isFinite(figure.value), `${figure.key} = ${figure.value}`).toBe(true);
      // A growth may be negative (the large run peaked lower), a share of 429s may be none; every other
      // figure is a positive time ratio, size or rate.
      if (figure.key === 'rateLimit429Share') expect(figure.value, figure.key).toBeGreaterThanOrEqual(0);
      else if (figure.key !== 'rssGrowth') expect(figure.value, figure.key).toBeGreaterThan(0);
    }
    // The first real run (checked 'succeeded' by the harness) sent every member; its unchanged rerun plans nothing.
    expect(results.noChange).toMatchObject({ members: 2_000, buildStatus: 'succeeded', rerunStatus: 'succeeded', rerunEventsPlanned: 0 });
    expect(results.rawDelivery.events).toBe(results.noChange.buildEvents);
    expect(results.rawDelivery.events).toBeGreaterThan(2_000);
    expect(results.sandboxLoad.notAccepted).toBe(0);
    expect(results.sandboxLoad.events).toBe(1_000);
    // Auto and every fixed setting delivered the whole export (each run is checked 'succeeded').
    expect(Object.keys(results.autoVsFixed.eventsPerSecByRound).sort()).toEqual(['16', '32', '4', '64', '8', 'auto']);
    // The fleet dry run planned every merchant (checked by the harness) and each was also planned alone.
    expect(results.fleet).toMatchObject({ merchants: 3, membersPerMerchant: 300, merchantConcurrency: 2 });
    expect(results.fleet.aloneMs).toHaveLength(3);
    const { best } = results.rateLimited;
    expect(best.events).toBeGreaterThan(100);
    expect(best.requests).toBeGreaterThanOrEqual(best.events + best.answered429);
    // The state file's figures come from the no-change runs and from 2 + 2 real nights, each of which sent something.
    expect(results.stateFile).toMatchObject({ members: 2_000, openMs: { rounds: [expect.any(Number), expect.any(Number), expect.any(Number)] } });
    expect(results.stateGrowth.nights.map((night) => night.night)).toEqual([1, 2, 3, 4]);
    for (const night of results.stateGrowth.nights) expect(night.events, `night ${night.night}`).toBeGreaterThan(0);
    expect(results.stateGrowth.itemBytes.autoByAction).not.toEqual(results.stateGrowth.itemBytes.syncedByAction);
  });
});
