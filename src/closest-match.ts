// "Did you mean …": the candidate closest to a name that was not found, by edit distance over Unicode
// code points (so `Nivå` is one edit from `Niva`, however it is encoded), ignoring case.

const comparable = (text: string) => [...text.trim().normalize('NFC').toLowerCase()];

/** Levenshtein distance between two code point arrays. */
function distance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate nearest to `wanted`, when it is near enough to be a likely typo (about 40% of its length). */
export function closestMatch(wanted: string, candidates: readonly string[]): string | undefined {
  const target = comparable(wanted);
  const limit = Math.max(2, Math.ceil(target.length * 0.4));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const away = distance(target, comparable(candidate));
    if (away <= limit && (!best || away < best.distance)) best = { candidate, distance: away };
  }
  return best?.candidate;
}
