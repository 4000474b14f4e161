// The plan ratio at the large size: the dry run's time over the floor any CSV-based tool pays (a bare
// csv-parse pass, parse-floor.ts). Both run as children in interleaved pairs, so a busy spell of the
// machine falls on both sides, and the best of each side counts.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { night1Files, type BenchExport } from './bench-exports.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults, DryRunFigures } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { bestOf, dryRun } from './dry-run.ts';
import { expectExit } from './expect-outcome.ts';
import { round2, seconds } from './figure-format.ts';
import { runMeasured } from './measured-child.ts';

const PARSE_FLOOR = fileURLToPath(new URL('./parse-floor.ts', import.meta.url));

export interface PlanRatio {
  plan: BenchResults['plan'];
  ratio: number;
  /** The same ratio of CPU times; null when a child's CPU time was not recorded. */
  ratioCpu: number | null;
}

export async function measurePlanRatio(work: BenchWorkspace, large: BenchExport, options: Pick<BenchOptions, 'members' | 'repeat'>): Promise<PlanRatio> {
  const { log } = work;
  const runDir = join(work.runs, 'dry-large');
  const parseFloorMs: number[] = [];
  const dryRunMs: number[] = [];
  const parseFloorCpuMs: number[] = [];
  const dryRunCpuMs: number[] = [];
  const load: [number, number][] = [];
  let parseFloorPeakRssMb: number | null = null;
  const dryRuns: Record<string, DryRunFigures> = {};
  for (let round = 1; round <= options.repeat; round++) {
    const parse = await runMeasured(PARSE_FLOOR, night1Files(large));
    expectExit(parse, 0, 'the csv-parse floor');
    parseFloorMs.push(parse.wallMs);
    parseFloorCpuMs.push(parse.cpuMs ?? Number.NaN);
    load.push(parse.load);
    parseFloorPeakRssMb = parse.peakRssMb ?? null;
    log(`csv-parse floor, ${options.members} members: ${seconds(parse.wallMs)} (${(JSON.parse(parse.stdout) as { records: number }).records} records)`);
    const dry = await dryRun(large, runDir, options.members);
    dryRunMs.push(dry.wallMs);
    dryRunCpuMs.push(dry.cpuMs ?? Number.NaN);
    load.push(dry.load);
    dryRuns[String(options.members)] = bestOf(dryRuns[String(options.members)], dry);
    log(`dry run, ${options.members} members: ${seconds(dry.wallMs)}, peak RSS ${dry.peakRssMb} MB (ingest ${seconds(dry.stageMs.ingest)}, plan ${seconds(dry.stageMs.plan)})`);
  }
  work.cleanUp(runDir);
  const parseFloorBestMs = Math.min(...parseFloorMs);
  const dryRunBestMs = Math.min(...dryRunMs);
  const ratioCpu = Math.min(...dryRunCpuMs) / Math.min(...parseFloorCpuMs);
  return {
    plan: { members: options.members, parseFloorMs, dryRunMs, parseFloorCpuMs, dryRunCpuMs, load, parseFloorBestMs, dryRunBestMs, parseFloorPeakRssMb, dryRuns },
    ratio: round2(dryRunBestMs / parseFloorBestMs),
    ratioCpu: Number.isFinite(ratioCpu) ? round2(ratioCpu) : null,
  };
}
