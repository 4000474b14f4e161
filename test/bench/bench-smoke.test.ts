// The CI benchmark: the harness of `npm run bench` at 10,000 members. It fails only on gross regressions
// (the `gross` limits in src/bench/targets.ts, far from today's figures), never on a noisy machine: every
// figure is a ratio or rate measured in this one run, and the real targets are left to the full
// benchmark, which prints them.
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../../src/bench/run-benchmark.ts';
import { FIGURES } from '../../src/bench/targets.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('benchmark smoke (10k members)', () => {
  it('measures every figure and none regressed grossly', { timeout: 150_000 }, async () => {
    const lines: string[] = [];
    const results = await runBenchmark({
      members: 10_000,
      smallMembers: 1_000,
      deliveryMembers: 2_000,
      seed: 1,
      changeRate: 0.02,
      concurrency: 32,
      latencyMs: 20,
      sandboxLoadEvents: 5_000,
      noChangeMembers: 10_000,
      noChangeBudgetMinutes: 15,
      repeat: 2,
      profile: false,
      dataDir: tempDir('loyalty-sync-bench-data-'),
      workDir: tempDir('loyalty-sync-bench-work-'),
      keepWork: false,
      log: (line) => lines.push(line),
    });
    const report = results.figures.map((figure) => `${figure.key}=${figure.value}`).join(', ');
    for (const figure of results.figures) expect(figure.value, `${figure.key} was not measured (${report})`).not.toBeNull();
    for (const spec of FIGURES.filter((candidate) => candidate.gross)) {
      const figure = results.figures.find((candidate) => candidate.key === spec.key)!;
      expect(figure.grossPass, `${spec.key} = ${figure.value}, gross-regression limit ${spec.gross!.op} ${spec.gross!.limit} (${report})\n${lines.join('\n')}`).toBe(true);
    }
    expect(results.noChange.rerunEventsPlanned).toBe(0);
    expect(results.sandboxLoad.notAccepted).toBe(0);
  });
});
