// The benchmark of issue 7, in one process tree and one run: every figure is a ratio (or a rate) of
// measurements taken minutes apart on the same machine, never an absolute time held against a constant.
// Each job run is a child process started and timed the same way (measured-child.ts); the sandbox runs
// in its own process; this process only orchestrates, so its own memory stays small.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../report/report-schema.ts';
import { ensureExport, night1Files, type BenchExport } from './bench-exports.ts';
import type { ProfilesSummary } from './cpu-profile-summary.ts';
import { JOB_NODE_FLAGS, runJob, type JobRun } from './job-run.ts';
import { runMeasured, type MeasuredChild, type MemorySample } from './measured-child.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { loadSandbox, type LoadResult } from './sandbox-load.ts';
import { FIGURES, meets, type FigureKey } from './targets.ts';

const PARSE_FLOOR = fileURLToPath(new URL('./parse-floor.ts', import.meta.url));
const PROFILE_SUMMARY = fileURLToPath(new URL('./cpu-profile-summary.ts', import.meta.url));

export interface BenchOptions {
  /** The large size: plan ratio and peak RSS (issue: 1,000,000). */
  members: number;
  /** The small size: peak RSS growth (issue: 100,000). */
  smallMembers: number;
  /** Size of the export delivered against the 20 ms sandbox (~2.9 events per member). */
  deliveryMembers: number;
  seed: number;
  changeRate: number;
  concurrency: number;
  latencyMs: number;
  sandboxLoadEvents: number;
  /**
   * Size for the no-change ratio. 'auto': the small size, and the large one too when building its
   * committed state (a real first run) is estimated to take at most `noChangeBudgetMinutes`.
   */
  noChangeMembers: number | 'auto';
  noChangeBudgetMinutes: number;
  /** Plan-ratio repetitions (interleaved parse/dry-run pairs; the best of each counts). */
  repeat: number;
  /** Profile one extra (unmeasured) dry run at the large size with --cpu-prof. */
  profile: boolean;
  dataDir: string;
  workDir: string;
  /** Keep state files and reports of the runs (they are large at 1M). */
  keepWork: boolean;
  log: (line: string) => void;
}

interface DryRunFigures {
  members: number;
  wallMs: number;
  peakRssMb: number | null;
  cpuMs: number | null;
  stageMs: RunReport['durationsMs'];
  eventsPlanned: number;
  rowsRead: number;
  /** 1-minute load average before and after (a busy machine slows the run down). */
  load: [number, number];
  /** At most 40 samples of [s, RSS, V8 heap total, V8 heap used, external] in MB, for spotting growth. */
  memory: MemorySample[];
}

export interface BenchResults {
  machine: { cpus: number; cpuModel: string; totalMemoryMb: number; node: string; platform: string; loadAverageAtStart: number[] };
  /** The code measured: HEAD and how many files differed from it when the benchmark started. */
  code: { commit: string | null; changedFiles: number | null };
  params: Omit<BenchOptions, 'log' | 'dataDir' | 'workDir' | 'keepWork'> & { dataDir: string; jobNodeFlags: readonly string[] };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  planRatio: number;
  /** The same ratio of CPU times (user + system): less sensitive to other load on the machine. */
  planRatioCpu: number | null;
  peakRssMb100k: number | null;
  peakRssMb1M: number | null;
  peakRssMbSmall: number | null;
  peakRssMbLarge: number | null;
  rssGrowth: number | null;
  noChangeRatio: number;
  deliveryEfficiency: number;
  rawEventsPerSec: number;
  sandboxEventsPerSec: number;
  /** Every figure against its target (and its CI gross-regression limit). */
  figures: { key: FigureKey; value: number | null; target: string; pass: boolean; grossPass: boolean }[];
  exports: Record<string, { dir: string; rowsNight1: number; bytesNight1: number; generatedMs?: number; generatorPeakRssMb?: number }>;
  plan: {
    members: number;
    parseFloorMs: number[];
    dryRunMs: number[];
    parseFloorCpuMs: number[];
    dryRunCpuMs: number[];
    load: [number, number][];
    parseFloorBestMs: number;
    dryRunBestMs: number;
    parseFloorPeakRssMb: number | null;
    dryRuns: Record<string, DryRunFigures>;
  };
  noChange: {
    members: number;
    reason: string;
    buildMs: number;
    buildEvents: number;
    buildStatus: string;
    /** State file (+ WAL) after the first real run and after the rerun, MB. */
    stateFileMb: { afterBuild: number; afterRerun: number };
    /** Peak RSS of the job in the first real run (plan + outbox + delivery) and in the rerun, MB. */
    peakRssMb: { build: number | null; rerun: number | null };
    rerunMs: number;
    rerunStatus: string;
    rerunEventsPlanned: number;
    rerunStageMs: RunReport['durationsMs'];
    dryRunMs: number;
    /** Estimated real first run at the large size, from the small one (minutes). */
    estimatedLargeBuildMinutes: number | null;
  };
  rawDelivery: {
    members: number;
    concurrency: number;
    events: number;
    deliverMs: number;
    eventsPerSec: number;
    /** Including ingest and planning: the whole first run. */
    endToEndEventsPerSec: number;
    sandboxPeakRssMb: number | null;
  };
  delivery: {
    members: number;
    concurrency: number;
    latencyMs: number;
    events: number;
    deliverMs: number;
    /** The best round's rate (the figure); every round's below. */
    eventsPerSec: number;
    eventsPerSecByRound: number[];
    ceilingEventsPerSec: number;
    retries: number;
    /** Request latency as the job saw it (report.json's histogram: bucket upper bounds, so coarse). */
    observedLatencyMs?: { p50: number; p95: number; max: number };
    /** Median send rate of the report's time slices, first and last left out: the rate without ramp-up and tail. */
    steadyEventsPerSec?: number;
  };
  sandboxLoad: LoadResult;
  /** CPU self time of a profiled dry run at the large size, per thread and for the whole process. */
  profile?: { files: string[]; summary: ProfilesSummary };
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const started = new Date();
  const code = codeUnderTest();
  const { log } = options;
  const runs = join(options.workDir, 'runs');
  mkdirSync(runs, { recursive: true });
  const exportsUsed: BenchResults['exports'] = {};
  const exportOf = async (members: number): Promise<BenchExport> => {
    const exported = await ensureExport(options.dataDir, { members, seed: options.seed, changeRate: options.changeRate });
    const night1 = exported.manifest.nights['night-1'];
    const files = Object.values(night1.files);
    exportsUsed[String(members)] = {
      dir: exported.dir,
      rowsNight1: files.reduce((sum, file) => sum + file.rows, 0),
      bytesNight1: files.reduce((sum, file) => sum + file.bytes, 0),
      ...(exported.generated && { generatedMs: exported.generated.wallMs, generatorPeakRssMb: exported.generated.peakRssMb }),
    };
    log(exported.generated ? `generated ${exported.dir} in ${seconds(exported.generated.wallMs)} (generator peak RSS ${exported.generated.peakRssMb} MB)` : `reusing ${exported.dir}`);
    return exported;
  };
  const cleanUp = (dir: string) => {
    if (!options.keepWork) rmSync(dir, { recursive: true, force: true });
  };

  // 1. Plan ratio at the large size: interleaved pairs of (bare csv-parse pass, dry run on a fresh state).
  const large = await exportOf(options.members);
  const parseFloorMs: number[] = [];
  const dryRunMs: number[] = [];
  const parseFloorCpuMs: number[] = [];
  const dryRunCpuMs: number[] = [];
  const planLoad: [number, number][] = [];
  let parseFloorPeakRssMb: number | null = null;
  const dryRuns: Record<string, DryRunFigures> = {};
  for (let round = 1; round <= options.repeat; round++) {
    const parse = await runMeasured(PARSE_FLOOR, night1Files(large));
    expectExit(parse, 0, 'the csv-parse floor');
    parseFloorMs.push(parse.wallMs);
    parseFloorCpuMs.push(parse.cpuMs ?? Number.NaN);
    planLoad.push(parse.load);
    parseFloorPeakRssMb = parse.peakRssMb ?? null;
    log(`csv-parse floor, ${options.members} members: ${seconds(parse.wallMs)} (${(JSON.parse(parse.stdout) as { records: number }).records} records)`);
    const dry = await dryRun(large, join(runs, 'dry-large'), options.members);
    dryRunMs.push(dry.wallMs);
    dryRunCpuMs.push(dry.cpuMs ?? Number.NaN);
    planLoad.push(dry.load);
    dryRuns[String(options.members)] = bestOf(dryRuns[String(options.members)], dry);
    log(`dry run, ${options.members} members: ${seconds(dry.wallMs)}, peak RSS ${dry.peakRssMb} MB (ingest ${seconds(dry.stageMs.ingest)}, plan ${seconds(dry.stageMs.plan)})`);
  }
  cleanUp(join(runs, 'dry-large'));
  const parseFloorBestMs = Math.min(...parseFloorMs);
  const dryRunBestMs = Math.min(...dryRunMs);

  // 2. Peak RSS at the small size.
  const small = await exportOf(options.smallMembers);
  const smallDry = await dryRun(small, join(runs, 'dry-small'), options.smallMembers);
  dryRuns[String(options.smallMembers)] = smallDry;
  cleanUp(join(runs, 'dry-small'));
  log(`dry run, ${options.smallMembers} members: ${seconds(smallDry.wallMs)}, peak RSS ${smallDry.peakRssMb} MB`);

  // 3. The sandbox alone, with a plain undici client.
  const loadSandboxChild = await startSandboxChild();
  let sandboxLoad: LoadResult;
  try {
    sandboxLoad = await loadSandbox(loadSandboxChild.url, { events: options.sandboxLoadEvents, concurrency: options.concurrency });
  } finally {
    await loadSandboxChild.stop();
  }
  log(`sandbox alone: ${sandboxLoad.eventsPerSec} events/s (${sandboxLoad.events} events, concurrency ${sandboxLoad.concurrency}, ${sandboxLoad.notAccepted} not accepted)`);

  // 4. Raw delivery and the no-change rerun: a real first run commits the export, the second sends nothing.
  const firstSize = options.noChangeMembers === 'auto' ? options.smallMembers : options.noChangeMembers;
  let noChange = await buildAndRerun(firstSize === options.smallMembers ? small : await exportOf(firstSize));
  // Raw delivery comes from the largest first run measured (the most events, the least start-up share).
  let rawDelivery = noChange.raw;
  let estimatedLargeBuildMinutes: number | null = null;
  let reason = options.noChangeMembers === 'auto' ? '' : 'size set with --no-change-members';
  if (options.noChangeMembers === 'auto') {
    estimatedLargeBuildMinutes = (noChange.figures.buildMs * (options.members / firstSize)) / 60_000;
    if (options.members === firstSize) reason = 'large size';
    else if (estimatedLargeBuildMinutes <= options.noChangeBudgetMinutes) {
      log(`building the committed state at ${options.members} members should take ~${estimatedLargeBuildMinutes.toFixed(1)} min: measuring the no-change rerun there`);
      noChange = await buildAndRerun(large);
      rawDelivery = noChange.raw;
      reason = `large size (first real run estimated at ${estimatedLargeBuildMinutes.toFixed(1)} min ≤ ${options.noChangeBudgetMinutes} min)`;
    } else {
      reason = `small size: a first real run at ${options.members} members is estimated at ${estimatedLargeBuildMinutes.toFixed(1)} min > ${options.noChangeBudgetMinutes} min (override with --no-change-members)`;
      log(`no-change ratio measured at ${firstSize} members: ${reason}`);
    }
  }

  // 5. Delivery efficiency: a sandbox answering after 20 ms, the job at concurrency 32.
  const deliveryExport = await exportOf(options.deliveryMembers);
  // Like the dry runs, the best of `repeat` runs: a shared machine only ever makes a run slower.
  const ceilingEventsPerSec = options.concurrency / (options.latencyMs / 1000);
  const eventsPerSecOf = (run: JobRun) => run.report.events.accepted / (run.report.durationsMs.deliver / 1000);
  const deliveryRatesPerSec: number[] = [];
  let deliveryRun: JobRun | undefined;
  for (let round = 1; round <= options.repeat; round++) {
    const slowSandbox = await startSandboxChild({ latencyMs: options.latencyMs });
    let run: JobRun;
    try {
      run = await runJob({ source: deliveryExport.night1, runDir: join(runs, 'delivery'), fresh: true, apiUrl: slowSandbox.url, concurrency: options.concurrency });
    } finally {
      await slowSandbox.stop();
    }
    expectStatus(run, 'succeeded', 'the delivery-efficiency run');
    cleanUp(join(runs, 'delivery'));
    deliveryRatesPerSec.push(Math.round(eventsPerSecOf(run)));
    log(`delivery at ${options.latencyMs} ms latency, round ${round}: ${Math.round(eventsPerSecOf(run))} events/s of a ${ceilingEventsPerSec} ceiling`);
    if (!deliveryRun || eventsPerSecOf(run) > eventsPerSecOf(deliveryRun)) deliveryRun = run;
  }
  const deliveryEventsPerSec = eventsPerSecOf(deliveryRun!);

  // 6. Optional: where the dry run's CPU time goes (an extra run: profiling slows it down).
  let profile: BenchResults['profile'];
  if (options.profile) profile = await profileDryRun(large, join(options.workDir, 'profiles'), join(runs, 'dry-profile'));
  if (options.profile) cleanUp(join(runs, 'dry-profile'));

  const noChangeDryMs = dryRuns[String(noChange.members)]?.wallMs ?? (await dryRun(await exportOf(noChange.members), join(runs, 'dry-no-change'), noChange.members)).wallMs;
  const peakRssMbSmall = smallDry.peakRssMb;
  const peakRssMbLarge = dryRuns[String(options.members)]!.peakRssMb;
  const values: Record<FigureKey, number | null> = {
    planRatio: round2(dryRunBestMs / parseFloorBestMs),
    peakRssMbLarge,
    rssGrowth: peakRssMbSmall && peakRssMbLarge ? round3(peakRssMbLarge / peakRssMbSmall - 1) : null,
    noChangeRatio: round2(noChange.figures.rerunMs / noChangeDryMs),
    deliveryEfficiency: round3(deliveryEventsPerSec / ceilingEventsPerSec),
    rawEventsPerSec: rawDelivery.eventsPerSec,
    sandboxEventsPerSec: sandboxLoad.eventsPerSec,
  };
  const finished = new Date();
  return {
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAverage,
    },
    code,
    params: {
      members: options.members,
      smallMembers: options.smallMembers,
      deliveryMembers: options.deliveryMembers,
      seed: options.seed,
      changeRate: options.changeRate,
      concurrency: options.concurrency,
      latencyMs: options.latencyMs,
      sandboxLoadEvents: options.sandboxLoadEvents,
      noChangeMembers: options.noChangeMembers,
      noChangeBudgetMinutes: options.noChangeBudgetMinutes,
      repeat: options.repeat,
      profile: options.profile,
      dataDir: options.dataDir,
      jobNodeFlags: JOB_NODE_FLAGS,
    },
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    planRatio: values.planRatio!,
    planRatioCpu: Number.isFinite(Math.min(...dryRunCpuMs) / Math.min(...parseFloorCpuMs)) ? round2(Math.min(...dryRunCpuMs) / Math.min(...parseFloorCpuMs)) : null,
    peakRssMb100k: options.smallMembers === 100_000 ? peakRssMbSmall : dryRuns['100000']?.peakRssMb ?? null,
    peakRssMb1M: options.members === 1_000_000 ? peakRssMbLarge : dryRuns['1000000']?.peakRssMb ?? null,
    peakRssMbSmall,
    peakRssMbLarge,
    rssGrowth: values.rssGrowth,
    noChangeRatio: values.noChangeRatio!,
    deliveryEfficiency: values.deliveryEfficiency!,
    rawEventsPerSec: values.rawEventsPerSec!,
    sandboxEventsPerSec: values.sandboxEventsPerSec!,
    figures: FIGURES.map((figure) => ({
      key: figure.key,
      value: values[figure.key],
      target: `${figure.target.op} ${figure.target.limit}`,
      pass: meets(values[figure.key], figure.target),
      grossPass: !figure.gross || meets(values[figure.key], figure.gross),
    })),
    exports: exportsUsed,
    plan: { members: options.members, parseFloorMs, dryRunMs, parseFloorCpuMs, dryRunCpuMs, load: planLoad, parseFloorBestMs, dryRunBestMs, parseFloorPeakRssMb, dryRuns },
    noChange: { ...noChange.figures, members: noChange.members, reason, dryRunMs: noChangeDryMs, estimatedLargeBuildMinutes: estimatedLargeBuildMinutes && round2(estimatedLargeBuildMinutes) },
    rawDelivery,
    delivery: {
      members: options.deliveryMembers,
      concurrency: options.concurrency,
      latencyMs: options.latencyMs,
      events: deliveryRun!.report.events.accepted,
      deliverMs: deliveryRun!.report.durationsMs.deliver,
      eventsPerSec: Math.round(deliveryEventsPerSec),
      eventsPerSecByRound: deliveryRatesPerSec,
      ceilingEventsPerSec,
      retries: deliveryRun!.report.events.retries,
      ...(deliveryRun!.report.delivery?.latencyMs && { observedLatencyMs: deliveryRun!.report.delivery.latencyMs }),
      ...steadyRateOf(deliveryRun!.report),
    },
    sandboxLoad,
    ...(profile && { profile }),
  };

  async function dryRun(exported: BenchExport, runDir: string, members: number): Promise<DryRunFigures> {
    const run = await runJob({ source: exported.night1, runDir, fresh: true, dryRun: true });
    expectStatus(run, 'dry-run', `the dry run at ${members} members`);
    const expected = exported.manifest.nights['night-1'].expectedEvents;
    if (run.report.events.planned !== expected) throw new Error(`the dry run at ${members} members planned ${run.report.events.planned} events; the generator expects ${expected}`);
    return {
      members,
      wallMs: run.child.wallMs,
      peakRssMb: run.child.peakRssMb ?? null,
      cpuMs: run.child.cpuMs ?? null,
      stageMs: run.report.durationsMs,
      eventsPlanned: run.report.events.planned,
      rowsRead: run.report.rows.read,
      load: run.child.load,
      memory: thin(run.child.memory, 40),
    };
  }

  async function buildAndRerun(exported: BenchExport) {
    const runDir = join(runs, `no-change-${exported.members}`);
    const sandbox = await startSandboxChild();
    let build: JobRun;
    let rerun: JobRun;
    let sandboxRun: MeasuredChild;
    let stateAfterBuildMb = 0;
    let stateAfterRerunMb = 0;
    try {
      log(`first real run, ${exported.members} members, against a zero-latency sandbox process…`);
      build = await runJob({ source: exported.night1, runDir, fresh: true, apiUrl: sandbox.url, concurrency: options.concurrency });
      expectStatus(build, 'succeeded', `the first real run at ${exported.members} members`);
      stateAfterBuildMb = stateFileMb(runDir);
      log(`first real run: ${build.report.events.accepted} events in ${seconds(build.child.wallMs)} (deliver ${seconds(build.report.durationsMs.deliver)}), state file ${stateAfterBuildMb} MB`);
      rerun = await runJob({ source: exported.night1, runDir, fresh: false, apiUrl: sandbox.url, concurrency: options.concurrency });
      expectStatus(rerun, 'succeeded', `the no-change rerun at ${exported.members} members`);
      if (rerun.report.events.planned !== 0) throw new Error(`the rerun of an unchanged export planned ${rerun.report.events.planned} events (expected 0)`);
      stateAfterRerunMb = stateFileMb(runDir);
      log(`no-change rerun: ${seconds(rerun.child.wallMs)}`);
    } finally {
      sandboxRun = await sandbox.stop();
      cleanUp(runDir);
    }
    const events = build.report.events.accepted;
    return {
      members: exported.members,
      figures: {
        buildMs: build.child.wallMs,
        buildEvents: events,
        buildStatus: build.report.status,
        stateFileMb: { afterBuild: stateAfterBuildMb, afterRerun: stateAfterRerunMb },
        peakRssMb: { build: build.child.peakRssMb ?? null, rerun: rerun.child.peakRssMb ?? null },
        rerunMs: rerun.child.wallMs,
        rerunStatus: rerun.report.status,
        rerunEventsPlanned: rerun.report.events.planned,
        rerunStageMs: rerun.report.durationsMs,
      },
      raw: {
        members: exported.members,
        concurrency: options.concurrency,
        events,
        deliverMs: build.report.durationsMs.deliver,
        eventsPerSec: Math.round(events / (build.report.durationsMs.deliver / 1000)),
        endToEndEventsPerSec: Math.round(events / (build.child.wallMs / 1000)),
        sandboxPeakRssMb: sandboxRun.peakRssMb ?? null,
      },
    };
  }

  async function profileDryRun(exported: BenchExport, profileDir: string, runDir: string): Promise<BenchResults['profile']> {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    log(`profiling a dry run at ${exported.members} members (--cpu-prof)…`);
    await runJob({ source: exported.night1, runDir, fresh: true, dryRun: true, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
    // One file per thread: the main thread and each ingest worker.
    const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile')).sort().map((name) => join(profileDir, name));
    if (files.length === 0) throw new Error(`--cpu-prof wrote no profile into ${profileDir}`);
    const summary = await runMeasured(PROFILE_SUMMARY, ['--top', '30', ...files]);
    expectExit(summary, 0, 'the profile summary');
    return { files, summary: JSON.parse(summary.stdout) as ProfilesSummary };
  }
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function codeUnderTest(): BenchResults['code'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter((line) => line.trim() !== '').length;
    return { commit: git('rev-parse', 'HEAD').trim(), changedFiles: changed };
  } catch {
    return { commit: null, changedFiles: null };
  }
}

/** Size of the state file and its WAL in a run folder, MB. */
function stateFileMb(runDir: string): number {
  const size = (name: string) => statSync(join(runDir, name), { throwIfNoEntry: false })?.size ?? 0;
  return Math.round((size('state.sqlite') + size('state.sqlite-wal')) / 2 ** 20);
}

function steadyRateOf(report: RunReport): { steadyEventsPerSec?: number } {
  const slices = report.delivery?.timeline.slice(1, -1).filter((slice) => slice.seconds > 0) ?? [];
  if (slices.length === 0) return {};
  const rates = slices.map((slice) => slice.accepted / slice.seconds).sort((a, b) => a - b);
  return { steadyEventsPerSec: Math.round(rates[Math.floor(rates.length / 2)]!) };
}

const loadAverage = loadavg().map((value) => Math.round(value * 100) / 100);

function bestOf(previous: DryRunFigures | undefined, next: DryRunFigures): DryRunFigures {
  if (!previous) return next;
  return next.wallMs < previous.wallMs ? { ...next, peakRssMb: maxOrNull(previous.peakRssMb, next.peakRssMb) } : { ...previous, peakRssMb: maxOrNull(previous.peakRssMb, next.peakRssMb) };
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function expectExit(child: MeasuredChild, code: number, what: string): void {
  if (child.exitCode !== code) throw new Error(`${what} exited with ${child.exitCode ?? child.signal} (expected ${code}):\n${child.stderrTail}`);
}

function expectStatus(run: JobRun, status: string, what: string): void {
  if (run.report.status === status) return;
  const problem = run.report.error ? ` ${run.report.error.code}: ${run.report.error.message}` : '';
  throw new Error(`${what} ended ${run.report.status} (exit ${run.child.exitCode}), expected ${status}.${problem}\n${run.child.stderrTail}`);
}

/** At most `count` evenly spaced points of a curve, always keeping the last. */
function thin<T>(points: T[], count: number): T[] {
  if (points.length <= count) return points;
  const step = points.length / count;
  const kept = Array.from({ length: count - 1 }, (_, i) => points[Math.floor(i * step)]!);
  return [...kept, points.at(-1)!];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const round2 = (value: number) => Math.round(value * 100) / 100;
const round3 = (value: number) => Math.round(value * 1000) / 1000;
