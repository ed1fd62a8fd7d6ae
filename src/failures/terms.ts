/**
 * Text features of a failure for similarity search: words and the character
 * trigrams of each word, so "ffmpeg_missing" and "ffmpeg missing", or a path
 * that changed one letter, still share most of their terms. Digits fold to "#"
 * (ports, sizes and ids differ between twins of the same failure).
 */
const STOPWORDS = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'in',
  'is',
  'it',
  'at',
  'on',
  'for',
  'and',
  'or',
  'be',
  'was',
  'with',
  'by',
  'as',
  'no',
  'not',
  'from',
  'file',
  'js',
  'ts',
  'node',
  'async',
]);

/** Terms kept per episode: enough to tell failures apart, small enough for 10,000 in one index. */
export const MAX_TERMS = 96;

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[0-9]+/g, '#')
    .split(/[^a-z#]+/)
    .filter((word) => word.length > 1 && !STOPWORDS.has(word));
}

/**
 * Term frequencies packed as "term=tf term=tf …": one string per episode parses
 * and validates in O(1) where a JSON object of ~100 keys costs ~100 checks, and
 * 10,000 episodes are read on a cold start.
 */
export function packTerms(terms: Record<string, number>): string {
  return Object.entries(terms)
    .map(([term, tf]) => `${term}=${tf}`)
    .join(' ');
}

export function unpackTerms(packed: string): Array<[string, number]> {
  if (packed === '') return [];
  return packed.split(' ').map((pair) => {
    const at = pair.lastIndexOf('=');
    return [pair.slice(0, at), Number(pair.slice(at + 1))];
  });
}

/** Term frequencies: each word (weight 1) and its trigrams (weight ½ each). */
export function termFrequencies(text: string, maxTerms = MAX_TERMS): Record<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, weight: number) => counts.set(term, (counts.get(term) ?? 0) + weight);
  for (const word of words(text)) {
    add(word, 1);
    const padded = `_${word}_`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`~${padded.slice(i, i + 3)}`, 0.5);
  }
  const kept = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxTerms);
  return Object.fromEntries(kept);
}
