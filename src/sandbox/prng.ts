// Seeded randomness for fault decisions and jitter, so a failing run can be replayed with its seed
// (the seed in force is shown by GET /_sandbox/faults). mulberry32: tiny, fast, good enough for tests.

/** Returns a generator of floats in [0, 1), fully determined by `seed` (an unsigned 32-bit integer). */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
