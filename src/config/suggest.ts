/**
 * "did you mean …?" for near misses, like HAProxy 2.6's keyword suggestions
 * (`unknown keyword 'foo'; did you mean 'tfo' maybe ?`), but only offered when
 * the typo is small enough to be a likely slip.
 */

/** The closest candidate within an edit distance of about a third of the word, if any. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * `expected one of a, b, c`, preceded by `did you mean 'b'?` when `word` is
 * close to a candidate or to one of `alsoAccepted` (keywords accepted but not
 * worth listing, such as ignored logging options).
 */
export function expectedOneOf(word: string, candidates: readonly string[], alsoAccepted: readonly string[] = []): string {
  const suggestion = closestMatch(word, [...candidates, ...alsoAccepted]);
  const list = `expected one of ${candidates.join(', ')}`;
  return suggestion ? `did you mean '${suggestion}'? ${list}` : list;
}

/** Levenshtein distance, counting a swap of two adjacent letters as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
