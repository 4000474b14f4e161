// The benchmark's figures with their targets. Only `npm run bench` holds a figure to its target: the test
// suite runs the same harness at a small size and checks that every figure is measured, never its value.

export type FigureKey =
  | 'planRatio'
  | 'peakRssMbLarge'
  | 'rssGrowth'
  | 'noChangeRatio'
  | 'deliveryEfficiency'
  | 'rawEventsPerSec'
  | 'sandboxEventsPerSec'
  | 'rateLimitEfficiency'
  | 'rateLimit429Share'
  | 'autoVsBestFixed'
  | 'stateBytesPerMember'
  | 'stateGrowth14Nights'
  | 'stateOpenMs1M'
  | 'itemBytesRatio'
  | 'fleetPlanRatio'
  | 'fleetPeakRssMb';

export interface Bound {
  op: '<=' | '>=';
  limit: number;
}

export interface FigureSpec {
  key: FigureKey;
  label: string;
  target: Bound;
  format: (value: number) => string;
}

const ratio = (value: number) => value.toFixed(2);
const whole = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

export const FIGURES: readonly FigureSpec[] = [
  { key: 'planRatio', label: 'plan ratio (dry run ÷ bare csv-parse)', target: { op: '<=', limit: 2.5 }, format: ratio },
  { key: 'peakRssMbLarge', label: 'peak RSS of the dry run, large N (MB)', target: { op: '<=', limit: 256 }, format: whole },
  { key: 'rssGrowth', label: 'peak RSS growth, small N → large N', target: { op: '<=', limit: 0.2 }, format: percent },
  { key: 'noChangeRatio', label: 'no-change ratio (rerun ÷ dry run)', target: { op: '<=', limit: 1.5 }, format: ratio },
  { key: 'deliveryEfficiency', label: 'delivery efficiency (20 ms, concurrency 32)', target: { op: '>=', limit: 0.9 }, format: ratio },
  { key: 'rawEventsPerSec', label: 'raw delivery, zero-latency sandbox (events/s)', target: { op: '>=', limit: 3000 }, format: whole },
  { key: 'sandboxEventsPerSec', label: 'sandbox alone, plain undici client (events/s)', target: { op: '>=', limit: 5000 }, format: whole },
  { key: 'rateLimitEfficiency', label: 'auto under a rate limit: accepted ÷ limit', target: { op: '>=', limit: 0.9 }, format: ratio },
  { key: 'rateLimit429Share', label: 'auto under a rate limit: requests answered 429', target: { op: '<=', limit: 0.02 }, format: percent },
  { key: 'autoVsBestFixed', label: 'auto ÷ best fixed concurrency, server at capacity', target: { op: '>=', limit: 0.9 }, format: ratio },
  { key: 'stateBytesPerMember', label: 'state file bytes per member (night 1 + a no-change night)', target: { op: '<=', limit: 1024 }, format: whole },
  { key: 'stateGrowth14Nights', label: 'state file after 14 nights of 2% change ÷ after night 2', target: { op: '<=', limit: 1.1 }, format: ratio },
  { key: 'stateOpenMs1M', label: 'opening the state file up to the lock (ms)', target: { op: '<=', limit: 1000 }, format: whole },
  { key: 'itemBytesRatio', label: 'bytes a 2%-change night sends, --item-events auto ÷ synced', target: { op: '<=', limit: 0.5 }, format: ratio },
  { key: 'fleetPlanRatio', label: "fleet dry run ÷ sum of the merchants' alone", target: { op: '<=', limit: 1.2 }, format: ratio },
  { key: 'fleetPeakRssMb', label: 'peak RSS of the fleet dry run (MB)', target: { op: '<=', limit: 256 }, format: whole },
];

export function meets(value: number | null | undefined, bound: Bound): boolean {
  if (value === null || value === undefined || !Number.isFinite(value)) return false;
  return bound.op === '<=' ? value <= bound.limit : value >= bound.limit;
}

export function describeBound(bound: Bound, format: (value: number) => string): string {
  return `${bound.op === '<=' ? '≤' : '≥'} ${format(bound.limit)}`;
}
