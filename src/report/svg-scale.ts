// Small pieces shared by the report's hand-written SVG charts.

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) ≥ value (at least `floor`), for axis maxima people can read. */
export function niceCeiling(value: number, floor = 1): number {
  const target = Math.max(value, floor);
  const power = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= target) return step * power;
  return 10 * power;
}

/** Coordinates with at most one decimal: short SVG, no float noise like 12.000000000001. */
export const coordinate = (value: number): string => String(Math.round(value * 10) / 10);
