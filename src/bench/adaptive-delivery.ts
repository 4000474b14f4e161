// The figures of issue 16: `--concurrency auto` against the two limits an API can have. A gateway's rate
// limit (a token bucket per merchant: 429 with Retry-After beyond it), where auto must hold the quota
// without living in 429s; and a server with a capacity (latency grows beyond C requests in flight),
// where auto must find the concurrency the best fixed setting has, without being told. Each run is the
// real CLI against a sandbox process; the best of `repeat` runs counts, as everywhere in the benchmark.
import { join } from 'node:path';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectStatus } from './expect-outcome.ts';
import { round3 } from './figure-format.ts';
import { runJob, type JobRun } from './job-run.ts';
import { startSandboxChild } from './sandbox-child.ts';
import type { SandboxFaultsPatch } from '../sandbox/server.ts';

type AdaptiveOptions = Pick<BenchOptions, 'limitMembers' | 'latencyMs' | 'rateLimit' | 'capacity' | 'repeat'>;

/** The fixed settings auto is held against. */
const FIXED_CONCURRENCIES = [4, 8, 16, 32, 64] as const;

const eventsPerSecOf = (run: JobRun) => run.report.events.accepted / (run.report.durationsMs.deliver / 1000);

async function deliverAgainst(work: BenchWorkspace, members: number, faults: SandboxFaultsPatch, concurrency: number | 'auto', what: string): Promise<JobRun> {
  const exported = await work.exportOf(members);
  const runDir = join(work.runs, 'adaptive');
  const sandbox = await startSandboxChild({ faults });
  let run: JobRun;
  try {
    run = await runJob({ source: exported.night1, runDir, fresh: true, apiUrl: sandbox.url, concurrency });
  } finally {
    await sandbox.stop();
    work.cleanUp(runDir);
  }
  expectStatus(run, 'succeeded', what);
  return run;
}

/**
 * Auto mode against a rate limit of `rateLimit` requests/s: the accepted rate as a share of the limit,
 * and the share of requests answered 429. The bucket starts full (a second's worth), a burst no steady
 * rate can have: it is taken off the accepted events before dividing, so the figure is the steady share.
 */
export async function measureRateLimited(work: BenchWorkspace, options: AdaptiveOptions): Promise<{ rateLimited: BenchResults['rateLimited']; efficiency: number; share429: number }> {
  const faults = { latencyMs: options.latencyMs, rateLimit: { requestsPerSecond: options.rateLimit, retryAfterSeconds: 1 } };
  const initialBurst = Math.max(1, options.rateLimit);
  const rounds: BenchResults['rateLimited']['rounds'] = [];
  for (let round = 1; round <= options.repeat; round++) {
    const run = await deliverAgainst(work, options.limitMembers, faults, 'auto', 'the rate-limited run');
    const { report } = run;
    const seconds = report.durationsMs.deliver / 1000;
    const answered429 = report.delivery.byStatus['429'] ?? 0;
    rounds.push({
      events: report.events.accepted,
      deliverMs: report.durationsMs.deliver,
      eventsPerSec: Math.round(eventsPerSecOf(run)),
      steadyEventsPerSec: Math.round((report.events.accepted - Math.min(initialBurst, report.events.accepted)) / seconds),
      requests: report.delivery.attempts,
      answered429,
    });
    work.log(`rate limit ${options.rateLimit}/s, ${options.latencyMs} ms, auto, round ${round}: ${rounds.at(-1)!.steadyEventsPerSec} events/s after the initial burst, ${answered429} of ${report.delivery.attempts} requests answered 429`);
  }
  const best = rounds.reduce((a, b) => (b.steadyEventsPerSec > a.steadyEventsPerSec ? b : a));
  return {
    rateLimited: { members: options.limitMembers, latencyMs: options.latencyMs, rateLimit: options.rateLimit, initialBurst, best, rounds },
    efficiency: round3(best.steadyEventsPerSec / options.rateLimit),
    share429: round3(best.answered429 / best.requests),
  };
}

/** Auto mode against a server with a capacity, and every fixed setting of FIXED_CONCURRENCIES against the same. */
export async function measureAutoVsFixed(work: BenchWorkspace, options: AdaptiveOptions): Promise<{ autoVsFixed: BenchResults['autoVsFixed']; ratio: number }> {
  const faults = { latencyMs: options.latencyMs, capacity: options.capacity };
  const settings = ['auto', ...FIXED_CONCURRENCIES] as const;
  const byRound: Record<string, number[]> = Object.fromEntries(settings.map((setting) => [String(setting), []]));
  // Interleaved rounds: a slow stretch of the shared machine hits every setting, not one.
  for (let round = 1; round <= options.repeat; round++) {
    for (const setting of settings) {
      const run = await deliverAgainst(work, options.limitMembers, faults, setting, `the capacity run at concurrency ${setting}`);
      byRound[String(setting)]!.push(Math.round(eventsPerSecOf(run)));
    }
    work.log(`capacity ${options.capacity}, ${options.latencyMs} ms, round ${round}: ${settings.map((setting) => `${setting} ${byRound[String(setting)]!.at(-1)}/s`).join(', ')}`);
  }
  const best = (setting: string) => Math.max(...byRound[setting]!);
  const bestFixed = FIXED_CONCURRENCIES.reduce((a, b) => (best(String(b)) > best(String(a)) ? b : a));
  return {
    autoVsFixed: {
      members: options.limitMembers,
      latencyMs: options.latencyMs,
      capacity: options.capacity,
      eventsPerSecByRound: byRound,
      autoEventsPerSec: best('auto'),
      bestFixed: { concurrency: bestFixed, eventsPerSec: best(String(bestFixed)) },
    },
    ratio: round3(best('auto') / best(String(bestFixed))),
  };
}
