// How the benchmark rounds its figures for results.json and prints durations in its log lines: the same
// precision whichever measurement a figure comes from.

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const round2 = (value: number) => Math.round(value * 100) / 100;
export const round3 = (value: number) => Math.round(value * 1000) / 1000;
