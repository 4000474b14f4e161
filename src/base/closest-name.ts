// "Did you mean …?": the known name nearest to one that was not found, for a mistyped flag or config key
// and for a mapped column missing from a file's header. Compared by Unicode code point after NFC, without
// case, `-` and `_` (`reportdir`, `report_dir` and `report-dir` are all `reportDir`; `Niva` is one edit
// from `Nivå`, however it is encoded); close enough means an edit distance of at most 40% of the name (at
// least 2), a swap of two neighbouring letters counting as one edit (`dyrrun`).

const comparable = (name: string) => [...name.trim().normalize('NFC').toLowerCase().replace(/[-_]/g, '')];

/** The known name closest to `written`, or undefined when none is close enough to be a likely typo. */
export function closestName(written: string, known: Iterable<string>): string | undefined {
  const target = comparable(written);
  const limit = Math.max(2, Math.ceil(target.length * 0.4));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(target, comparable(name));
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** " (did you mean X?)" or "". */
export function didYouMean(written: string, known: Iterable<string>, show: (name: string) => string = (name) => name): string {
  const closest = closestName(written, known);
  return closest === undefined ? '' : ` (did you mean ${show(closest)}?)`;
}

/** Levenshtein distance over code points, with a swap of two neighbours counting as one edit. */
function editDistance(a: readonly string[], b: readonly string[]): number {
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
