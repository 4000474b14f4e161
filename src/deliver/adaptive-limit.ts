// `--concurrency auto`: how many members go out in parallel, found while sending, from the answers alone.
//
// A delay-based limiter in the spirit of TCP Vegas (and Netflix concurrency-limits' VegasLimit), with the
// loss response of AIMD. Once per sample window (200 ms to 1 s) it compares the window's fastest
// accepted answer with the fastest ever seen (the floor: the API's latency without our queue in it) and
// estimates how many of our requests wait in a queue at the API: `limit × (1 − floor / latency)`.
// - No queue: the limit grows, doubling per window until the first sign of a queue (slow start: a first
//   night reaches a fast API's capacity in a few hundred milliseconds), then by a few per window.
// - A queue of a few requests (3 to 6 × log10 of the limit, as Vegas) is the target: enough to keep
//   the API busy, not enough to slow it down. A longer queue (rising latency): -10% per window.
// - 429 or 503: the limit is cut at once (to 50% during slow start, else 70%, as CUBIC does), at most
//   once per round: answers to requests sent before the last cut are old news. From then on it grows
//   slowly (a tenth of the limit, at least 1, per second): a rate limit's token bucket hides the limit
//   until it is empty, so the slower the growth, the fewer 429s per cycle.
// Why not latency alone (Gradient2): a gateway's rate limit answers 429 long before latency moves, so
// the answers' status must drive the limit too. Why not AIMD alone: a server at its capacity shows it
// only in latency, and a limiter that waits for errors pushes it until it fails.
// The clock is handed in: the limiter is tested with fake time.

export type LimitChangeReason = 'no queue' | 'latency rising' | 'rate limited (429)' | 'overloaded (503)';

export interface LimitSample {
  /** Epoch ms when the request was sent. */
  startedAt: number;
  latencyMs: number;
  /** HTTP status; undefined when no answer came (says nothing about load: resets, DNS…). */
  status?: number;
  /** Members in flight when the answer came: the limit only grows while it is used. */
  inFlight: number;
}

export interface LimitChange {
  from: number;
  to: number;
  reason: LimitChangeReason;
}

export interface AdaptiveLimitOptions {
  initial: number;
  max: number;
  min?: number;
  now: () => number;
}

export interface AdaptiveLimit {
  /** The limit in force: a whole number in [min, max]. */
  readonly limit: number;
  /** Learns from one answer; returns the change when the limit in force changed. */
  record(sample: LimitSample): LimitChange | undefined;
}

/** A window closes after this long (or twice the floor latency, up to a second), with at least MIN_SAMPLES answers. */
const WINDOW_MIN_MS = 200;
const WINDOW_MAX_MS = 1000;
const MIN_SAMPLES = 8;
const CUT_IN_SLOW_START = 0.5;
const CUT = 0.7;
const LATENCY_CUT = 0.9;

export function createAdaptiveLimit(options: AdaptiveLimitOptions): AdaptiveLimit {
  const min = options.min ?? 1;
  const { max, now } = options;
  const clamp = (value: number) => Math.max(min, Math.min(max, value));
  let estimate = clamp(options.initial);
  let slowStart = true;
  /** A 429 or 503 was answered: from then on growth is slow. */
  let refused = false;
  let floorMs = Infinity;
  let lastCutAt = -Infinity;
  let window = newWindow(now());

  const inForce = () => Math.floor(estimate);
  const change = (next: number, reason: LimitChangeReason): LimitChange | undefined => {
    const from = inForce();
    estimate = clamp(next);
    return inForce() === from ? undefined : { from, to: inForce(), reason };
  };

  function judge(closed: Window): LimitChange | undefined {
    // The window's fastest answer: our own pauses (garbage collection, a commit) slow some answers
    // down, a queue at the API slows every one of them.
    const latency = closed.minLatencyMs;
    floorMs = Math.min(floorMs, latency);
    const queue = estimate * (1 - floorMs / latency);
    const log = Math.max(1, Math.log10(estimate));
    const alpha = 3 * log;
    const beta = 6 * log;
    if (queue > beta) {
      slowStart = false;
      return change(estimate * LATENCY_CUT, 'latency rising');
    }
    // Only a limit in use shows whether more would help (the run's last members, a long retry wait).
    if (closed.maxInFlight < estimate / 2) return undefined;
    if (queue >= alpha) {
      slowStart = false;
      return undefined;
    }
    // After a 429 or 503 latency says nothing about the limit (a rate limit answers fast until it
    // refuses): grow slowly, the slower the fewer refusals per cycle.
    if (refused) return change(estimate + Math.max(1, estimate / 10) * (windowMs() / 1000), 'no queue');
    if (slowStart) return change(estimate * 2, 'no queue');
    return change(estimate + (queue <= log ? beta : log), 'no queue');
  }

  const windowMs = () => Math.min(WINDOW_MAX_MS, Math.max(WINDOW_MIN_MS, Number.isFinite(floorMs) ? 2 * floorMs : 0));

  return {
    get limit() {
      return inForce();
    },
    record(sample) {
      const at = now();
      const congested = sample.status === 429 || sample.status === 503;
      const ok = sample.status !== undefined && sample.status >= 200 && sample.status < 300;
      // Every request in flight when the API said "too much" may come back refused: one cut per round.
      if (sample.startedAt < lastCutAt) return undefined;
      if (congested) {
        lastCutAt = at;
        window = newWindow(at);
        const ratio = slowStart ? CUT_IN_SLOW_START : CUT;
        const reason = sample.status === 429 ? 'rate limited (429)' : 'overloaded (503)';
        slowStart = false;
        refused = true;
        return change(estimate * ratio, reason);
      }
      if (!ok) return undefined;
      window.samples++;
      window.minLatencyMs = Math.min(window.minLatencyMs, sample.latencyMs);
      window.maxInFlight = Math.max(window.maxInFlight, sample.inFlight);
      if (at - window.startedAt < windowMs() || window.samples < MIN_SAMPLES) return undefined;
      const closed = window;
      window = newWindow(at);
      return judge(closed);
    },
  };
}

interface Window {
  startedAt: number;
  samples: number;
  minLatencyMs: number;
  maxInFlight: number;
}

function newWindow(startedAt: number): Window {
  return { startedAt, samples: 0, minLatencyMs: Infinity, maxInFlight: 0 };
}
