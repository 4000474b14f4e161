// "Did you mean …?" for a mistyped option or config key: the known name nearest to what was written.
// Case, '-' and '_' do not count (`reportdir`, `report_dir` and `report-dir` are all `reportDir`); beyond
// that, an edit distance of at most a third of the name (at least 2), so `sauce` suggests nothing.

const normalised = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** The known name closest to `written`, or undefined when none is close enough to be a likely typo. */
export function closestName(written: string, known: Iterable<string>): string | undefined {
  const target = normalised(written);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(target, normalised(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(target.length / 3)) ? best.name : undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(written: string, known: Iterable<string>, show: (name: string) => string = (name) => name): string {
  const closest = closestName(written, known);
  return closest === undefined ? '' : ` (did you mean ${show(closest)}?)`;
}

/** Levenshtein distance, with a swap of two neighbouring letters counting as one edit (`dyrrun`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
