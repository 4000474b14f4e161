// The no-change ratio and raw delivery, from one pair of real runs against a zero-latency sandbox: the
// first commits the export (its delivery rate is the raw figure), the rerun of the unchanged export must
// plan nothing, and its time is what the no-change ratio holds against a dry run's.
import { join } from 'node:path';
import type { BenchExport } from './bench-exports.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults } from './bench-results.ts';
import type { BenchWorkspace } from './bench-workspace.ts';
import { expectStatus } from './expect-outcome.ts';
import { round2, seconds } from './figure-format.ts';
import { runJob, type JobRun } from './job-run.ts';
import type { MeasuredChild } from './measured-child.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { measureStateOpen, stateFileBytes } from './state-file.ts';

type NoChangeFigures = Omit<BenchResults['noChange'], 'members' | 'reason' | 'dryRunMs' | 'estimatedLargeBuildMinutes'>;

interface BuildAndRerun {
  members: number;
  figures: NoChangeFigures;
  raw: BenchResults['rawDelivery'];
  /** The state file after the first real run and the rerun (issue 17's figures). */
  stateFile: BenchResults['stateFile'];
}

export interface NoChangeMeasurement extends BuildAndRerun {
  /** Why the no-change ratio was measured at this size. */
  reason: string;
  estimatedLargeBuildMinutes: number | null;
}

type NoChangeOptions = Pick<BenchOptions, 'members' | 'smallMembers' | 'noChangeMembers' | 'noChangeBudgetMinutes' | 'concurrency'>;

export async function measureNoChange(work: BenchWorkspace, options: NoChangeOptions, exports: { small: BenchExport; large: BenchExport }): Promise<NoChangeMeasurement> {
  const firstSize = options.noChangeMembers === 'auto' ? options.smallMembers : options.noChangeMembers;
  const first = await buildAndRerun(work, firstSize === options.smallMembers ? exports.small : await work.exportOf(firstSize), options.concurrency);
  if (options.noChangeMembers !== 'auto') return { ...first, reason: 'size set with --no-change-members', estimatedLargeBuildMinutes: null };
  const minutes = (first.figures.buildMs * (options.members / firstSize)) / 60_000;
  const estimatedLargeBuildMinutes = round2(minutes);
  if (options.members === firstSize) return { ...first, reason: 'large size', estimatedLargeBuildMinutes };
  if (minutes <= options.noChangeBudgetMinutes) {
    work.log(`building the committed state at ${options.members} members should take ~${minutes.toFixed(1)} min: measuring the no-change rerun there`);
    // Raw delivery comes from the largest first run measured (the most events, the least start-up share).
    const large = await buildAndRerun(work, exports.large, options.concurrency);
    return { ...large, reason: `large size (first real run estimated at ${minutes.toFixed(1)} min ≤ ${options.noChangeBudgetMinutes} min)`, estimatedLargeBuildMinutes };
  }
  const reason = `small size: a first real run at ${options.members} members is estimated at ${minutes.toFixed(1)} min > ${options.noChangeBudgetMinutes} min (override with --no-change-members)`;
  work.log(`no-change ratio measured at ${firstSize} members: ${reason}`);
  return { ...first, reason, estimatedLargeBuildMinutes };
}

async function buildAndRerun(work: BenchWorkspace, exported: BenchExport, concurrency: number): Promise<BuildAndRerun> {
  const { log } = work;
  const runDir = join(work.runs, `no-change-${exported.members}`);
  const sandbox = await startSandboxChild();
  let build: JobRun;
  let rerun: JobRun;
  let sandboxRun: MeasuredChild;
  let stateAfterBuild = 0;
  let stateAfterRerun = 0;
  let openMs: BenchResults['stateFile']['openMs'];
  try {
    log(`first real run, ${exported.members} members, against a zero-latency sandbox process…`);
    build = await runJob({ source: exported.night1, runDir, fresh: true, apiUrl: sandbox.url, concurrency });
    expectStatus(build, 'succeeded', `the first real run at ${exported.members} members`);
    stateAfterBuild = stateFileBytes(runDir);
    log(`first real run: ${build.report.events.accepted} events in ${seconds(build.child.wallMs)} (deliver ${seconds(build.report.durationsMs.deliver)}), state file ${megabytes(stateAfterBuild)} MB`);
    rerun = await runJob({ source: exported.night1, runDir, fresh: false, apiUrl: sandbox.url, concurrency });
    expectStatus(rerun, 'succeeded', `the no-change rerun at ${exported.members} members`);
    if (rerun.report.events.planned !== 0) throw new Error(`the rerun of an unchanged export planned ${rerun.report.events.planned} events (expected 0)`);
    stateAfterRerun = stateFileBytes(runDir);
    log(`no-change rerun: ${seconds(rerun.child.wallMs)}, state file ${megabytes(stateAfterRerun)} MB (${Math.round(stateAfterRerun / exported.members)} bytes per member)`);
    openMs = await measureStateOpen(runDir);
    log(`opening the state file up to the lock: ${openMs.best} ms (best of ${openMs.rounds.join(', ')})`);
  } finally {
    sandboxRun = await sandbox.stop();
    work.cleanUp(runDir);
  }
  const events = build.report.events.accepted;
  return {
    members: exported.members,
    figures: {
      buildMs: build.child.wallMs,
      buildEvents: events,
      buildStatus: build.report.status,
      stateFileMb: { afterBuild: megabytes(stateAfterBuild), afterRerun: megabytes(stateAfterRerun) },
      peakRssMb: { build: build.child.peakRssMb ?? null, rerun: rerun.child.peakRssMb ?? null },
      rerunMs: rerun.child.wallMs,
      rerunStatus: rerun.report.status,
      rerunEventsPlanned: rerun.report.events.planned,
      rerunStageMs: rerun.report.durationsMs,
    },
    stateFile: { members: exported.members, bytesAfterBuild: stateAfterBuild, bytesAfterRerun: stateAfterRerun, bytesPerMember: Math.round(stateAfterRerun / exported.members), openMs: openMs! },
    raw: {
      members: exported.members,
      concurrency,
      events,
      deliverMs: build.report.durationsMs.deliver,
      eventsPerSec: Math.round(events / (build.report.durationsMs.deliver / 1000)),
      endToEndEventsPerSec: Math.round(events / (build.child.wallMs / 1000)),
      sandboxPeakRssMb: sandboxRun.peakRssMb ?? null,
    },
  };
}

const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);
