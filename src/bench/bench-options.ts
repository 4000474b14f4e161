// What one benchmark run measures and where it works: the sizes, the sandbox's latency, the repetitions,
// and the folders for the cached exports and the runs' state files.

import type { CouponRange } from './export-model.ts';

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
  /** Size of the export delivered against the rate-limited and the capacity-limited sandbox (issue 16). */
  limitMembers: number;
  /** The sandbox's rate limit (requests/s) for `rateLimitEfficiency` and `rateLimit429Share`. */
  rateLimit: number;
  /** The sandbox's capacity (requests served at once) for `autoVsBestFixed`. */
  capacity: number;
  /**
   * Size for the no-change ratio. 'auto': the small size, and the large one too when building its
   * committed state (a real first run) is estimated to take at most `noChangeBudgetMinutes`.
   */
  noChangeMembers: number | 'auto';
  noChangeBudgetMinutes: number;
  /** Size of the nightly sequence that measures the state file's growth and the item-events bytes (issue: 100,000). */
  growthMembers: number;
  /**
   * A club whose members hold many coupons (`manyCoupons` each, `manyCouponsMembers` of them): the
   * item-events bytes measured again where one changed coupon is a small part of its set.
   */
  manyCouponsMembers: number;
  manyCoupons: CouponRange;
  /** Nights of 2% change after night 2, and the history window they fill (issue: 14). */
  growthNights: number;
  /**
   * Pause between the growth nights. A window boundary is put half a second after a night finished and
   * the next night's events come after this gap; a run's own start-up (up to the gap − 0.5 s) shifts the
   * boundary it sees (3 s for `npm run bench`).
   */
  growthGapMs: number;
  /** Partner mode (issue 18): merchants in one fleet process, members each, merchants planned at once. */
  fleetMerchants: number;
  fleetMembers: number;
  fleetMerchantConcurrency: number;
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
