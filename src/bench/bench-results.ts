// The shape of bench/results.json: every figure of issue 7 with the absolute numbers behind it, so a
// figure that moved between two runs can be traced to the measurement that moved it.
import type { RunReport } from '../base/report-schema.ts';
import type { BenchOptions } from './bench-options.ts';
import type { ProfilesSummary } from './cpu-profile-summary.ts';
import type { CouponRange } from './export-model.ts';
import type { MemorySample } from './measured-child.ts';
import type { LoadResult } from './sandbox-load.ts';
import type { FigureKey } from './targets.ts';

export interface DryRunFigures {
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

/** Partner mode: one fleet dry run of N merchants against each merchant's dry run alone (fleet-figures.ts). */
export interface FleetFigures {
  merchants: number;
  membersPerMerchant: number;
  merchantConcurrency: number;
  /** The fleet run's duration (its report), and the process's wall time. */
  fleetMs: number;
  fleetWallMs: number;
  /** Each merchant's dry run alone (its report's total), and their sum. */
  aloneMs: number[];
  aloneSumMs: number;
  planRatio: number;
  peakRssMb: number | null;
  load: [number, number];
}

export interface RateLimitedRound {
  events: number;
  deliverMs: number;
  eventsPerSec: number;
  /** Accepted events beyond the bucket's initial burst, per second of delivery. */
  steadyEventsPerSec: number;
  requests: number;
  answered429: number;
}

/** A night's request bytes with `--item-events auto` and `synced` (item-bytes.ts); `setEventsRatio`: coupon and stamp-card events only. */
export interface ItemBytes {
  autoBytes: number;
  syncedBytes: number;
  ratio: number;
  setEventsRatio: number;
  /**
   * Bytes no mode changes: member and bonus-check events, and first syncs (a replacement in every mode).
   * `floorRatio`: those ÷ `syncedBytes`, the lowest `ratio` any choice of forms could reach;
   * `decidedRatio`: auto ÷ synced over the rest, the sets whose form auto chose.
   */
  sameInEveryModeBytes: number;
  floorRatio: number;
  decidedRatio: number;
  autoByAction: RunReport['events']['plannedByAction'];
  syncedByAction: RunReport['events']['plannedByAction'];
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
  rateLimitEfficiency: number;
  rateLimit429Share: number;
  autoVsBestFixed: number;
  /** Partner mode: the fleet dry run and the merchants alone (fleet-figures.ts). */
  fleet: FleetFigures;
  /** Every figure against its target. */
  figures: { key: FigureKey; value: number | null; target: string; pass: boolean }[];
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
  /** Auto mode against a rate-limited sandbox: every round, and the best (the figures' round). */
  rateLimited: {
    members: number;
    latencyMs: number;
    rateLimit: number;
    /** Requests the sandbox's bucket holds at the start, taken off the accepted events for the steady rate. */
    initialBurst: number;
    best: RateLimitedRound;
    rounds: RateLimitedRound[];
  };
  /** Auto mode and fixed concurrencies against a sandbox with a capacity: events/s per setting and round. */
  autoVsFixed: {
    members: number;
    latencyMs: number;
    capacity: number;
    eventsPerSecByRound: Record<string, number[]>;
    autoEventsPerSec: number;
    bestFixed: { concurrency: number; eventsPerSec: number };
  };
  /** The state file the no-change figure built (issue 17): size after night 1 and a night without changes, opening time. */
  stateFile: {
    members: number;
    bytesAfterBuild: number;
    bytesAfterRerun: number;
    bytesPerMember: number;
    /** Opening it up to the run lock, in a child started as the job is (ms): the best and every round. */
    openMs: { best: number; rounds: number[] };
  };
  /** Nights of 2% change with a full history window: the state file must stop growing. */
  stateGrowth: {
    members: number;
    windowNights: number;
    nights: { night: number; bytes: number; events: number; wallMs: number }[];
    afterNight2Bytes: number;
    lastBytes: number;
    ratio: number;
    itemBytes: ItemBytes;
  };
  /** The item-events bytes on a club whose members hold many coupons (item-bytes.ts); not held to a target. */
  itemBytesManyCoupons: ItemBytes & { members: number; couponsPerMember: CouponRange };
  /** CPU self time of a profiled dry run at the large size, per thread and for the whole process. */
  profile?: { files: string[]; summary: ProfilesSummary };
}
