// `npm run gen -- --members N --seed S --change-rate R --out DIR`: a deterministic export pair for
// benchmarks and load tests (see generate-export.ts for what it holds).
import { resolve } from 'node:path';
import { exitCodeOf } from '../base/exit-codes.ts';
import { isSyncError, UsageError } from '../errors.ts';
import { couponRangeFlag, numberFlag, parseFlags } from './flags.ts';
import { COUPON_CAMPAIGNS } from './export-model.ts';
import { generateExportPair } from './generate-export.ts';

export const GENERATE_USAGE = `Usage: npm run gen -- --out DIR [--members N] [--seed S] [--change-rate R] [--coupons MIN-MAX]

Writes DIR/night-1/ and DIR/night-2/ (members.csv, coupons.csv, stamp_cards.csv, bonus_checks.csv) and
DIR/manifest.json. The same arguments always give byte-identical files.

  --members N       members on night 1 (default 10000); ~3 coupons, ~1 stamp card, ~0.3 bonus checks each
  --seed S          PRNG seed, 0..4294967295 (default 1)
  --change-rate R   fraction of members night 2 changes, 0..1 (default 0.02): of those 10% are deleted
                    (at most 4% of all members, under the 5% mass-delete guard), the rest change fields,
                    coupon sets, stamp cards or bonus checks; another R × 10% members are new
  --coupons MIN-MAX coupons each member holds on night 1, uniformly in MIN..MAX (default 0-6; at most
                    ${COUPON_CAMPAIGNS}, the campaigns of the made-up chain): a club shaped like yours
  --out DIR         output folder (required)`;

const OPTIONS = {
  members: { type: 'string' },
  seed: { type: 'string' },
  'change-rate': { type: 'string' },
  coupons: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function generateCommand(args: readonly string[], stdout: { write(text: string): unknown }): number {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    stdout.write(`${GENERATE_USAGE}\n`);
    return 0;
  }
  if (!flags.out) throw new UsageError('--out DIR is required');
  const started = performance.now();
  const manifest = generateExportPair({
    out: resolve(flags.out),
    members: numberFlag('members', flags.members, 10_000, { min: 1, max: 50_000_000, integer: true }),
    seed: numberFlag('seed', flags.seed, 1, { max: 0xffff_ffff, integer: true }),
    changeRate: numberFlag('change-rate', flags['change-rate'], 0.02, { max: 1 }),
    ...(flags.coupons !== undefined && { couponsPerMember: couponRangeFlag('coupons', flags.coupons) }),
    onProgress: (message) => stdout.write(`  ${message}\n`),
  });
  const { night2Members: changes } = manifest;
  stdout.write(
    `wrote ${resolve(flags.out)} in ${((performance.now() - started) / 1000).toFixed(1)} s: night-1 ${manifest.nights['night-1'].members} members ` +
      `(${manifest.nights['night-1'].expectedEvents} events into an empty state); night-2 ${changes.new} new, ${changes.changed} changed, ` +
      `${changes.deleted} deleted (${manifest.deletePercent.toFixed(2)}%), ${changes.unchanged} unchanged (${manifest.nights['night-2'].expectedEvents} events)\n`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = generateCommand(process.argv.slice(2), process.stdout);
  } catch (error) {
    process.stderr.write(`gen: ${isSyncError(error) ? error.message : ((error as Error).stack ?? String(error))}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
