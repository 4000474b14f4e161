// Partner mode at scale (issue 18): N merchants of M members each, planned by one `loyalty-sync fleet
// --dry-run` process at `merchantConcurrency` 4, against the same merchants planned alone (one
// `run --dry-run` each). Both sides time the job itself (report durations, from start to report, without
// Node's start-up), so the ratio says what running them together costs; on a machine with more cores than
// one merchant uses it may well be below 1. And the fleet process's peak RSS: its merchants share it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FleetReport } from '../base/fleet-report-schema.ts';
import { ensureExport } from './bench-exports.ts';
import type { BenchOptions } from './bench-options.ts';
import type { FleetFigures } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectExit, expectStatus } from './expect-outcome.ts';
import { round2, seconds } from './figure-format.ts';
import { JOB_NODE_FLAGS, jobEnvironment, runJob } from './job-run.ts';
import { runMeasured } from './measured-child.ts';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export async function measureFleet(work: BenchWorkspace, options: Pick<BenchOptions, 'fleetMerchants' | 'fleetMembers' | 'fleetMerchantConcurrency' | 'seed' | 'changeRate' | 'dataDir'>): Promise<FleetFigures> {
  const { fleetMerchants: count, fleetMembers: members, fleetMerchantConcurrency: merchantConcurrency } = options;
  const exports = [];
  // One export per merchant (seeds apart): each merchant's club is its own, as in a real fleet.
  for (let index = 0; index < count; index++) exports.push(await ensureExport(options.dataDir, { members, seed: options.seed + 1000 + index, changeRate: options.changeRate }));
  work.log(`fleet: ${count} exports of ${members} members ready`);

  const aloneMs: number[] = [];
  for (const [index, exported] of exports.entries()) {
    const runDir = join(work.runs, `fleet-alone-${index}`);
    const run = await runJob({ source: exported.night1, runDir, fresh: true, dryRun: true });
    expectStatus(run, 'dry-run', `merchant ${index} alone`);
    aloneMs.push(run.report.durationsMs.total);
    work.cleanUp(runDir);
  }
  const aloneSumMs = aloneMs.reduce((sum, ms) => sum + ms, 0);

  const fleetDir = join(work.runs, 'fleet');
  const file = join(work.runs, 'fleet.json');
  writeFileSync(
    file,
    JSON.stringify({
      stateDir: join(fleetDir, 'state'),
      reportDir: join(fleetDir, 'reports'),
      merchantConcurrency,
      merchants: exports.map((exported, index) => ({ id: `merchant-${index}`, merchantSerialNumber: String(700000 + index), source: exported.night1 })),
    }),
  );
  const child = await runMeasured(CLI, ['fleet', '--config', file, '--dry-run'], { env: jobEnvironment(), nodeFlags: JOB_NODE_FLAGS });
  expectExit(child, 0, 'the fleet dry run');
  const report = JSON.parse(readFileSync(join(fleetDir, 'reports', 'fleet', 'latest.json'), 'utf8')) as FleetReport;
  if (report.rows.length !== count || report.rows.some((row) => row.status !== 'dry-run')) throw new Error(`the fleet dry run did not plan every merchant: ${JSON.stringify(report.merchants)}`);
  work.cleanUp(fleetDir);
  const planRatio = round2(report.durationMs / aloneSumMs);
  work.log(`fleet: ${count} × ${members} members, ${merchantConcurrency} at once: ${seconds(report.durationMs)} vs ${seconds(aloneSumMs)} alone (ratio ${planRatio}), peak RSS ${child.peakRssMb} MB`);
  return {
    merchants: count,
    membersPerMerchant: members,
    merchantConcurrency,
    fleetMs: report.durationMs,
    fleetWallMs: child.wallMs,
    aloneMs,
    aloneSumMs,
    planRatio,
    peakRssMb: child.peakRssMb ?? null,
    load: child.load,
  };
}
