// Seeded randomness for the export generator. Every value of member i is drawn from its own stream,
// seeded by hashing (seed, i, purpose), so any member's rows can be regenerated on demand in any order:
// the generator never holds an export in memory, and the same arguments give byte-identical files.
import { createPrng } from '../sandbox/prng.ts';

/** A 32-bit avalanche hash of a few integers (murmur3's finaliser applied per word). */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  below(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `k` distinct indexes of [0, n), in ascending order. */
  distinct(k: number, n: number): number[];
}

/** The sandbox's seeded generator (mulberry32), with the draws the export generator needs. */
export function createRandom(seed: number): Random {
  const next = createPrng(seed);
  const below = (n: number): number => Math.floor(next() * n);
  return {
    next,
    below,
    between: (min, max) => min + below(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[below(items.length)]!,
    distinct(k, n) {
      const chosen = new Set<number>();
      while (chosen.size < Math.min(k, n)) chosen.add(below(n));
      return [...chosen].sort((a, b) => a - b);
    },
  };
}

/**
 * A keyed bijection of [0, size): a 4-round Feistel network over the next even power of two, with cycle
 * walking back into range. Lets night-2 list its rows in a shuffled order with O(1) memory.
 */
export function createPermutation(size: number, seed: number): (index: number) => number {
  let bits = 2;
  while (2 ** bits < size) bits++;
  if (bits % 2 === 1) bits++;
  const half = bits / 2;
  const mask = 2 ** half - 1;
  const keys = [1, 2, 3, 4].map((round) => mixSeed(seed, round));
  const encrypt = (value: number): number => {
    let left = Math.floor(value / 2 ** half);
    let right = value & mask;
    for (const key of keys) {
      const mixed = (left ^ (mixSeed(key, right) & mask)) >>> 0;
      left = right;
      right = mixed;
    }
    return left * 2 ** half + right;
  };
  return (index) => {
    if (index < 0 || index >= size) throw new RangeError(`expected an index in [0, ${size}), got ${index}`);
    let value = encrypt(index);
    while (value >= size) value = encrypt(value);
    return value;
  };
}
