// `npm run first-night [-- options]`: a first night of a large club sent in deadline-bounded parts (see
// first-night.ts), checked for convergence with nothing sent twice. Prints what each run did.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeOf } from '../base/exit-codes.ts';
import { isSyncError } from '../errors.ts';
import { firstNightProblems, runFirstNightInParts } from './first-night.ts';
import { numberFlag, parseFlags } from './flags.ts';

const BENCH_DIR = fileURLToPath(new URL('../../bench/', import.meta.url));

export const FIRST_NIGHT_USAGE = `Usage: npm run first-night [-- options]

Sends a generated club's first night (~2.9 events per member) in runs bounded by --deadline-minutes,
each continuing where the last one stopped, until one succeeds; checks that every event reached the
sandbox exactly once and that the state equals the export.

  --members N            club size (default 100000)
  --max-rate N           requests/s of every run (default 2000)
  --deadline-minutes M   each run's deadline (default 1)
  --max-runs N           give up after this many runs (default 10)
  --seed S               generator seed (default 1)
  --data-dir DIR         where exports are cached (default bench/data)`;

const OPTIONS = {
  members: { type: 'string' },
  'max-rate': { type: 'string' },
  'deadline-minutes': { type: 'string' },
  'max-runs': { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

if (import.meta.main) {
  try {
    const flags = parseFlags(process.argv.slice(2), OPTIONS);
    if (flags.help) {
      process.stdout.write(`${FIRST_NIGHT_USAGE}\n`);
    } else {
      const started = performance.now();
      const log = (line: string) => process.stderr.write(`[first night ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}\n`);
      const result = await runFirstNightInParts({
        members: numberFlag('members', flags.members, 100_000, { min: 10, integer: true }),
        maxRate: numberFlag('max-rate', flags['max-rate'], 2000, { min: 1 }),
        deadlineMinutes: numberFlag('deadline-minutes', flags['deadline-minutes'], 1, { min: 0.01 }),
        maxRuns: numberFlag('max-runs', flags['max-runs'], 10, { min: 1, integer: true }),
        seed: numberFlag('seed', flags.seed, 1, { max: 0xffff_ffff, integer: true }),
        dataDir: resolve(flags['data-dir'] ?? join(BENCH_DIR, 'data')),
        runDir: join(BENCH_DIR, 'work', 'first-night'),
        log,
      });
      const problems = firstNightProblems(result);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n${problems.length === 0 ? 'converged: every event sent exactly once, the state equals the export' : `PROBLEMS:\n  ${problems.join('\n  ')}`}\n`);
      process.exitCode = problems.length === 0 ? 0 : 1;
    }
  } catch (error) {
    process.stderr.write(`first-night: ${isSyncError(error) ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
