// The benchmark of issues 7 and 16, in one process tree and one run: every figure is a ratio (or a rate) of
// measurements taken minutes apart on the same machine, never an absolute time held against a constant.
// Each job run is a child process started and timed the same way (measured-child.ts); the sandbox runs
// in its own process; this process only orchestrates, so its own memory stays small.
import { join } from 'node:path';
import { codeUnderTest, machineOf } from './bench-environment.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults } from './bench-results.ts';
import { openWorkspace } from './bench-workspace.ts';
import { measureAutoVsFixed, measureRateLimited } from './adaptive-delivery.ts';
import { measureDeliveryEfficiency } from './delivery-efficiency.ts';
import { measureFleet } from './fleet-figures.ts';
import { dryRun } from './dry-run.ts';
import { round2, round3, seconds } from './figure-format.ts';
import { measureItemBytesOnClub } from './item-bytes.ts';
import { JOB_NODE_FLAGS } from './job-run.ts';
import { measureNoChange } from './no-change.ts';
import { measurePlanRatio } from './plan-ratio.ts';
import { profileDryRun } from './profile-dry-run.ts';
import { startSandboxChild } from './sandbox-child.ts';
import { loadSandbox, type LoadResult } from './sandbox-load.ts';
import { measureStateGrowth } from './state-growth.ts';
import { FIGURES, meets, type FigureKey } from './targets.ts';

export type { BenchOptions } from './bench-options.ts';
export type { BenchResults } from './bench-results.ts';

export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const started = new Date();
  const code = codeUnderTest();
  const work = openWorkspace(options);
  const { log } = options;

  // 1. Plan ratio at the large size: interleaved pairs of (bare csv-parse pass, dry run on a fresh state).
  const large = await work.exportOf(options.members);
  const { plan, ratio: planRatio, ratioCpu: planRatioCpu } = await measurePlanRatio(work, large, options);

  // 2. Peak RSS at the small size.
  const small = await work.exportOf(options.smallMembers);
  const smallDry = await dryRun(small, join(work.runs, 'dry-small'), options.smallMembers);
  plan.dryRuns[String(options.smallMembers)] = smallDry;
  work.cleanUp(join(work.runs, 'dry-small'));
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
  const noChange = await measureNoChange(work, options, { small, large });

  // 5. Delivery efficiency: a sandbox answering after 20 ms, the job at concurrency 32.
  const { delivery, efficiency } = await measureDeliveryEfficiency(work, options);

  // 6. Auto mode at the API's limit: a rate limit (429 beyond it), then a server at its capacity.
  const { rateLimited, efficiency: rateLimitEfficiency, share429: rateLimit429Share } = await measureRateLimited(work, options);
  const { autoVsFixed, ratio: autoVsBestFixed } = await measureAutoVsFixed(work, options);
  // 6. The state file over nights of change (issue 17), and the bytes --item-events auto saves: on the
  // generated club, and on one whose members hold many coupons.
  const stateGrowth = await measureStateGrowth(work, options);
  const itemBytesManyCoupons = await measureItemBytesOnClub(work, options);

  // 7. Partner mode: many merchants planned in one fleet process vs each alone.
  const fleet = await measureFleet(work, options);

  // 8. Optional: where the dry run's CPU time goes (an extra run: profiling slows it down).
  const profile = options.profile ? await profileDryRun(work, large, join(options.workDir, 'profiles')) : undefined;

  const noChangeDryMs = plan.dryRuns[String(noChange.members)]?.wallMs ?? (await dryRun(await work.exportOf(noChange.members), join(work.runs, 'dry-no-change'), noChange.members)).wallMs;
  const peakRssMbSmall = smallDry.peakRssMb;
  const peakRssMbLarge = plan.dryRuns[String(options.members)]!.peakRssMb;
  const rssGrowth = peakRssMbSmall && peakRssMbLarge ? round3(peakRssMbLarge / peakRssMbSmall - 1) : null;
  const noChangeRatio = round2(noChange.figures.rerunMs / noChangeDryMs);
  const values: Record<FigureKey, number | null> = {
    planRatio,
    peakRssMbLarge,
    rssGrowth,
    noChangeRatio,
    deliveryEfficiency: efficiency,
    rawEventsPerSec: noChange.raw.eventsPerSec,
    sandboxEventsPerSec: sandboxLoad.eventsPerSec,
    rateLimitEfficiency,
    rateLimit429Share,
    autoVsBestFixed,
    stateBytesPerMember: noChange.stateFile.bytesPerMember,
    stateGrowth14Nights: stateGrowth.ratio,
    stateOpenMs1M: noChange.stateFile.openMs.best,
    itemBytesRatio: stateGrowth.itemBytes.ratio,
    fleetPlanRatio: fleet.planRatio,
    fleetPeakRssMb: fleet.peakRssMb,
  };
  const finished = new Date();
  return {
    machine: machineOf(),
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
      limitMembers: options.limitMembers,
      rateLimit: options.rateLimit,
      capacity: options.capacity,
      noChangeMembers: options.noChangeMembers,
      noChangeBudgetMinutes: options.noChangeBudgetMinutes,
      growthMembers: options.growthMembers,
      growthNights: options.growthNights,
      growthGapMs: options.growthGapMs,
      manyCouponsMembers: options.manyCouponsMembers,
      manyCoupons: options.manyCoupons,
      repeat: options.repeat,
      fleetMerchants: options.fleetMerchants,
      fleetMembers: options.fleetMembers,
      fleetMerchantConcurrency: options.fleetMerchantConcurrency,
      profile: options.profile,
      dataDir: options.dataDir,
      jobNodeFlags: JOB_NODE_FLAGS,
    },
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    planRatio,
    planRatioCpu,
    peakRssMb100k: options.smallMembers === 100_000 ? peakRssMbSmall : plan.dryRuns['100000']?.peakRssMb ?? null,
    peakRssMb1M: options.members === 1_000_000 ? peakRssMbLarge : plan.dryRuns['1000000']?.peakRssMb ?? null,
    peakRssMbSmall,
    peakRssMbLarge,
    rssGrowth,
    noChangeRatio,
    deliveryEfficiency: efficiency,
    rawEventsPerSec: noChange.raw.eventsPerSec,
    sandboxEventsPerSec: sandboxLoad.eventsPerSec,
    rateLimitEfficiency,
    rateLimit429Share,
    autoVsBestFixed,
    fleet,
    figures: FIGURES.map((figure) => ({
      key: figure.key,
      value: values[figure.key],
      target: `${figure.target.op} ${figure.target.limit}`,
      pass: meets(values[figure.key], figure.target),
    })),
    exports: work.exportsUsed,
    plan,
    noChange: { ...noChange.figures, members: noChange.members, reason: noChange.reason, dryRunMs: noChangeDryMs, estimatedLargeBuildMinutes: noChange.estimatedLargeBuildMinutes },
    rawDelivery: noChange.raw,
    delivery,
    sandboxLoad,
    rateLimited,
    autoVsFixed,
    stateFile: noChange.stateFile,
    stateGrowth,
    itemBytesManyCoupons,
    ...(profile && { profile }),
  };
}
