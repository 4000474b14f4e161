// Flag parsing shared by `npm run gen` and `npm run bench`: strict, and a bad value names its flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';
import { COUPON_CAMPAIGNS, type CouponRange } from './export-model.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Messages carry no command prefix: the command's top-level handler adds it. */
export function parseFlags<O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A number flag within [min, max] (whole when `integer`), or `fallback` when the flag is absent. */
export function numberFlag(
  flag: string,
  raw: string | undefined,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  // `1e6` and `1_000_000` are easier to type than 1000000.
  const value = raw.trim() === '' ? Number.NaN : Number(raw.replaceAll('_', ''));
  const kind = integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new UsageError(`--${flag}: expected ${kind} in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

/** A range flag, `MIN-MAX` or one number for exactly that many, of coupons per member. */
export function couponRangeFlag(flag: string, raw: string): CouponRange {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || min > max || max > COUPON_CAMPAIGNS) throw new UsageError(`--${flag}: expected MIN-MAX with 0 ≤ MIN ≤ MAX ≤ ${COUPON_CAMPAIGNS}, got "${raw}"`);
  return { min, max };
}
