// `npm run bench [-- options]`: generates (or reuses) exports under bench/data/, measures every figure
// of issues 7 and 16 in one run, prints the table and writes bench/results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeOf } from '../base/exit-codes.ts';
import { isSyncError, UsageError } from '../errors.ts';
import { couponRangeFlag, numberFlag, parseFlags } from './flags.ts';
import { resultsTable } from './results-table.ts';
import { runBenchmark, type BenchOptions } from './run-benchmark.ts';

const BENCH_DIR = fileURLToPath(new URL('../../bench/', import.meta.url));

export const BENCH_USAGE = `Usage: npm run bench [-- options]

Measures the figures of issues 7 and 16 (plan ratio, peak RSS, no-change ratio, delivery efficiency,
raw delivery, sandbox throughput; --concurrency auto under a rate limit and against a server at its
capacity) in one run, prints them with their targets, writes bench/results.json.
Exports are generated once into bench/data/ and reused. The full run takes a long while (1M members).

  --quick                    10,000 members (small size 1,000), a few minutes at most
  --members N                large size (default 1000000)
  --small-members N          small size for the peak-RSS growth (default members / 10)
  --delivery-members N       export delivered against the slow sandbox (default 7000, ~20k events)
  --seed S                   generator seed (default 1)
  --change-rate R            night-2 change rate of the generated exports (default 0.02)
  --concurrency N            job concurrency for the delivery runs (default 32)
  --latency-ms N             sandbox latency for the delivery efficiency (default 20)
  --sandbox-events N         events posted by the plain undici client (default 20000)
  --limit-members N          export delivered under a rate limit and against a capacity (default 3000;
                             --quick 1000): auto mode, and fixed concurrency 4, 8, 16, 32, 64
  --rate-limit N             the sandbox's rate limit for rateLimitEfficiency/rateLimit429Share (default 200)
  --capacity N               the sandbox's capacity for autoVsBestFixed (default 24)
  --no-change-members N      size for the no-change ratio (default: auto, see README)
  --no-change-budget-min M   auto: largest estimated first real run at the large size (default 15)
  --growth-members N         size of the nightly sequence for the state file's growth and item bytes (default 100000; --quick 2000)
  --many-coupons MIN-MAX     the item-events bytes again on a club whose members hold this many coupons
                             (default 10-20; the generated club: 0-6)
  --many-coupons-members N   that club's size (default 20000; --quick 2000)
  --growth-nights N          nights of change after night 2, and the history window they fill (default 14)
  --growth-gap-ms N          pause between those nights, so each window boundary falls between two (default 3000)
  --fleet-merchants N        partner mode: merchants in one fleet dry run (default 20; --quick 5)
  --fleet-members N          members per fleet merchant (default 10000; --quick 2000)
  --merchant-concurrency N   merchants planned at once in the fleet (default 4)
  --repeat K                 plan-ratio pairs (interleaved) and delivery runs: best of K (default 2; --quick 3)
  --profile                  also profile a dry run at the large size (--cpu-prof) and summarise it
  --keep-work                keep the runs' state files and reports under bench/work/
  --data-dir DIR             where exports are cached (default bench/data)
  --out FILE                 results file (default bench/results.json)
  --fail-on targets          exit 1 when a figure misses its target`;

const OPTIONS = {
  quick: { type: 'boolean' },
  members: { type: 'string' },
  'small-members': { type: 'string' },
  'delivery-members': { type: 'string' },
  seed: { type: 'string' },
  'change-rate': { type: 'string' },
  concurrency: { type: 'string' },
  'latency-ms': { type: 'string' },
  'sandbox-events': { type: 'string' },
  'limit-members': { type: 'string' },
  'rate-limit': { type: 'string' },
  capacity: { type: 'string' },
  'no-change-members': { type: 'string' },
  'no-change-budget-min': { type: 'string' },
  'growth-members': { type: 'string' },
  'growth-nights': { type: 'string' },
  'many-coupons': { type: 'string' },
  'many-coupons-members': { type: 'string' },
  'growth-gap-ms': { type: 'string' },
  repeat: { type: 'string' },
  'fleet-merchants': { type: 'string' },
  'fleet-members': { type: 'string' },
  'merchant-concurrency': { type: 'string' },
  profile: { type: 'boolean' },
  'keep-work': { type: 'boolean' },
  'data-dir': { type: 'string' },
  out: { type: 'string' },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Output = { write(text: string): unknown };

export function benchOptionsFrom(args: readonly string[], log: (line: string) => void): { options: BenchOptions; out: string; failOn?: 'targets' } | 'help' {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) return 'help';
  const quick = flags.quick ?? false;
  const count = (flag: keyof typeof OPTIONS, fallback: number, min = 1) => numberFlag(flag, flags[flag] as string | undefined, fallback, { min, integer: true });
  const members = count('members', quick ? 10_000 : 1_000_000, 10);
  const failOn = flags['fail-on'];
  if (failOn !== undefined && failOn !== 'targets') throw new UsageError(`--fail-on: expected targets, got "${failOn}"`);
  const options: BenchOptions = {
    members,
    smallMembers: count('small-members', Math.max(1, Math.round(members / 10))),
    deliveryMembers: count('delivery-members', quick ? 3000 : 7000),
    seed: numberFlag('seed', flags.seed, 1, { max: 0xffff_ffff, integer: true }),
    changeRate: numberFlag('change-rate', flags['change-rate'], 0.02, { max: 1 }),
    concurrency: count('concurrency', 32),
    latencyMs: count('latency-ms', 20),
    sandboxLoadEvents: count('sandbox-events', quick ? 10_000 : 20_000),
    limitMembers: count('limit-members', quick ? 1000 : 3000),
    rateLimit: numberFlag('rate-limit', flags['rate-limit'], 200, { min: 1 }),
    capacity: count('capacity', 24),
    noChangeMembers: flags['no-change-members'] === undefined ? 'auto' : count('no-change-members', 0),
    noChangeBudgetMinutes: numberFlag('no-change-budget-min', flags['no-change-budget-min'], 15, { min: 0 }),
    growthMembers: count('growth-members', quick ? 2_000 : 100_000),
    growthNights: count('growth-nights', 14),
    manyCouponsMembers: count('many-coupons-members', quick ? 2_000 : 20_000),
    manyCoupons: couponRangeFlag('many-coupons', flags['many-coupons'] ?? '10-20'),
    growthGapMs: count('growth-gap-ms', 3000, 0),
    repeat: count('repeat', quick ? 3 : 2),
    fleetMerchants: count('fleet-merchants', quick ? 5 : 20),
    fleetMembers: count('fleet-members', quick ? 2000 : 10_000, 10),
    fleetMerchantConcurrency: count('merchant-concurrency', 4),
    profile: flags.profile ?? false,
    keepWork: flags['keep-work'] ?? false,
    dataDir: resolve(flags['data-dir'] ?? join(BENCH_DIR, 'data')),
    workDir: join(BENCH_DIR, 'work'),
    log,
  };
  return { options, out: resolve(flags.out ?? join(BENCH_DIR, 'results.json')), ...(failOn && { failOn }) };
}

export async function benchCommand(args: readonly string[], stdout: Output, stderr: Output): Promise<number> {
  const started = performance.now();
  const log = (line: string) => stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
  const parsed = benchOptionsFrom(args, log);
  if (parsed === 'help') {
    stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const results = await runBenchmark(parsed.options);
  mkdirSync(dirname(parsed.out), { recursive: true });
  writeFileSync(parsed.out, `${JSON.stringify(results, null, 2)}\n`);
  stdout.write(`${resultsTable(results)}\nresults: ${parsed.out}\n`);
  if (parsed.failOn === 'targets' && results.figures.some((figure) => !figure.pass)) return 1;
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await benchCommand(process.argv.slice(2), process.stdout, process.stderr);
  } catch (error) {
    process.stderr.write(`bench: ${isSyncError(error) ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
