// What sending looked like: answers by status, latency percentiles, the send rate, the concurrency limit
// and the 429s over the run, in bounded memory (fixed latency buckets; time slices that double in width
// to stay under 120).
import type { RunReport } from '../base/report-schema.ts';

export interface AttemptRecord {
  /** Epoch ms when the attempt started. */
  startedAt: number;
  latencyMs: number;
  /** HTTP status, or undefined when no answer came (network error, reset, timeout). */
  status?: number;
  /** Whether the answer was the acceptance (a 2xx with another body is not). */
  accepted: boolean;
}

export interface Telemetry {
  /** `limit`: the concurrency limit in force when the answer came (the chart shows it over time). */
  recordAttempt(attempt: AttemptRecord, limit?: number): void;
  summary(): RunReport['delivery'];
}

// Latency buckets (ms) growing by 5%: fine enough to tell 21 ms from 23 ms, and under a hundred of them.
const BOUNDS = [...geometric(1, 60_000, 1.05), Infinity];

function geometric(from: number, to: number, factor: number): number[] {
  const bounds: number[] = [];
  for (let bound = from; bound < to; bound *= factor) if (Math.ceil(bound * 10) / 10 !== bounds.at(-1)) bounds.push(Math.ceil(bound * 10) / 10);
  return bounds;
}
const MAX_SLICES = 120;

interface Slice {
  accepted: number;
  failed: number;
  rateLimited: number;
  /** Sum and count of the limits the slice's answers came under: their mean is the slice's limit. */
  limitSum: number;
  limits: number;
  histogram: number[];
}

const emptySlice = (): Slice => ({ accepted: 0, failed: 0, rateLimited: 0, limitSum: 0, limits: 0, histogram: new Array<number>(BOUNDS.length).fill(0) });
const bucketOf = (latencyMs: number) => BOUNDS.findIndex((bound) => latencyMs <= bound);

function percentile(histogram: readonly number[], fraction: number, max: number): number {
  const total = histogram.reduce((sum, n) => sum + n, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    // The bucket's upper bound (whole milliseconds), never above the largest latency actually seen.
    if (seen >= total * fraction) return Math.min(Math.ceil(BOUNDS[i]!), max);
  }
  return max;
}

export function createTelemetry(runStartedAt: number): Telemetry {
  const byStatus = new Map<string, number>();
  const overall = emptySlice();
  let slices: Slice[] = [];
  let sliceSeconds = 1;
  let attempts = 0;
  let max = 0;

  return {
    recordAttempt({ startedAt, latencyMs, status, accepted }, limit) {
      attempts++;
      max = Math.max(max, latencyMs);
      const key = status === undefined ? 'network' : String(status);
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      let index = Math.max(0, Math.floor((startedAt - runStartedAt) / 1000 / sliceSeconds));
      while (index >= MAX_SLICES) {
        slices = mergePairs(slices);
        sliceSeconds *= 2;
        index = Math.floor(index / 2);
      }
      while (slices.length <= index) slices.push(emptySlice());
      const bucket = bucketOf(latencyMs);
      for (const slice of [slices[index]!, overall]) {
        if (accepted) slice.accepted++;
        else slice.failed++;
        if (status === 429) slice.rateLimited++;
        if (limit !== undefined) {
          slice.limitSum += limit;
          slice.limits++;
        }
        slice.histogram[bucket]!++;
      }
    },
    summary() {
      return {
        attempts,
        byStatus: Object.fromEntries([...byStatus].sort(([a], [b]) => a.localeCompare(b))),
        latencyMs: { p50: percentile(overall.histogram, 0.5, max), p95: percentile(overall.histogram, 0.95, max), max },
        timeline: slices.map((slice, index) => ({
          atSeconds: index * sliceSeconds,
          seconds: sliceSeconds,
          accepted: slice.accepted,
          failed: slice.failed,
          p50Ms: percentile(slice.histogram, 0.5, max),
          p95Ms: percentile(slice.histogram, 0.95, max),
          rateLimited: slice.rateLimited,
          ...(slice.limits > 0 && { limit: Math.round((slice.limitSum / slice.limits) * 10) / 10 }),
        })),
      };
    },
  };
}

function mergePairs(slices: Slice[]): Slice[] {
  const merged: Slice[] = [];
  for (let i = 0; i < slices.length; i += 2) {
    const [a, b = emptySlice()] = [slices[i]!, slices[i + 1]];
    merged.push({
      accepted: a.accepted + b.accepted,
      failed: a.failed + b.failed,
      rateLimited: a.rateLimited + b.rateLimited,
      limitSum: a.limitSum + b.limitSum,
      limits: a.limits + b.limits,
      histogram: a.histogram.map((n, bucket) => n + b.histogram[bucket]!),
    });
  }
  return merged;
}
