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

/** An axis maximum short enough for a chart's margin: 800, 2,500, 15k, 250k, 1.5M. */
export function axisCount(value: number): string {
  if (value >= 1e6) return `${Math.round((value / 1e6) * 10) / 10}M`;
  if (value >= 1e4) return `${Math.round((value / 1e3) * 10) / 10}k`;
  return value.toLocaleString('en-GB');
}
