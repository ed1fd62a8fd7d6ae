import { loadShards, type IndexEntry } from './index-store.js';
import { termFrequencies } from './text.js';

export interface PreconditionQuery {
  step?: string | null;
  errorClass?: string | null;
  code?: string | null;
  tool?: string | null;
  provider?: string | null;
  resolution?: string | null;
}

export interface SearchHit {
  entry: IndexEntry;
  score: number;
  textScore: number;
  preconditionScore: number | null;
}

/** Weight of the text similarity against the precondition match, when preconditions are given. */
const TEXT_WEIGHT = 0.7;

interface Corpus {
  version: string;
  entries: IndexEntry[];
  idf: Map<string, number>;
  /** term → [entry index, weight] pairs. */
  postings: Map<string, Array<[number, number]>>;
  norms: Float64Array;
}

let corpus: Corpus | undefined;

const weightOf = (tf: number, idf: number) => (1 + Math.log(tf * 2)) * idf;

/** TF-IDF vectors and an inverted index over every indexed episode, rebuilt only when a shard changed. */
function buildCorpus(entries: IndexEntry[], version: string): Corpus {
  const df = new Map<string, number>();
  for (const entry of entries) for (const term in entry.terms) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [term, count] of df) idf.set(term, Math.log((entries.length + 1) / (count + 0.5)));
  const postings = new Map<string, Array<[number, number]>>();
  const norms = new Float64Array(entries.length);
  entries.forEach((entry, index) => {
    let norm = 0;
    for (const term in entry.terms) {
      const weight = weightOf(entry.terms[term]!, idf.get(term)!);
      norm += weight * weight;
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push([index, weight]);
    }
    norms[index] = Math.sqrt(norm) || 1;
  });
  return { version, entries, idf, postings, norms };
}

async function currentCorpus(): Promise<Corpus> {
  const { shards, version } = await loadShards();
  if (corpus?.version !== version) corpus = buildCorpus(shards.flatMap((shard) => shard.entries), version);
  return corpus;
}

/** The share of the given preconditions the entry matches; null when none are given. */
function preconditionMatch(entry: IndexEntry, query: PreconditionQuery): number | null {
  const pairs: Array<[unknown, unknown]> = [
    [query.step, entry.step],
    [query.errorClass, entry.errorClass],
    [query.code, entry.code],
    [query.tool, entry.pre.tool],
    [query.provider, entry.pre.provider],
    [query.resolution, entry.pre.resolution],
  ];
  const given = pairs.filter(([wanted]) => wanted !== undefined && wanted !== null);
  if (given.length === 0) return null;
  return given.filter(([wanted, actual]) => wanted === actual).length / given.length;
}

/**
 * Episodes ranked by cosine similarity of TF-IDF vectors (words and trigrams),
 * combined with how many of the given preconditions they share.
 */
export async function searchFailures(text: string, preconditions: PreconditionQuery, options: { limit: number; exclude?: string }): Promise<SearchHit[]> {
  const { entries, idf, postings, norms } = await currentCorpus();
  const query = termFrequencies(text);
  const dots = new Float64Array(entries.length);
  let queryNorm = 0;
  for (const term in query) {
    const termIdf = idf.get(term);
    if (termIdf === undefined) continue;
    const weight = weightOf(query[term]!, termIdf);
    queryNorm += weight * weight;
    for (const [index, docWeight] of postings.get(term)!) dots[index]! += weight * docWeight;
  }
  queryNorm = Math.sqrt(queryNorm) || 1;
  const hits: SearchHit[] = [];
  const hasText = Object.keys(query).length > 0;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    if (entry.runId === options.exclude) continue;
    const textScore = hasText ? dots[index]! / (norms[index]! * queryNorm) : 0;
    const preconditionScore = preconditionMatch(entry, preconditions);
    if (textScore === 0 && !preconditionScore) continue;
    const score = preconditionScore === null ? textScore : hasText ? TEXT_WEIGHT * textScore + (1 - TEXT_WEIGHT) * preconditionScore : preconditionScore;
    hits.push({ entry, score: Math.round(score * 1000) / 1000, textScore, preconditionScore });
  }
  return hits.sort((a, b) => b.score - a.score || b.entry.at.localeCompare(a.entry.at)).slice(0, options.limit);
}

/** Episodes by error class, from the index (every project). */
export async function failureCountsByClass(): Promise<Record<string, number>> {
  const { entries } = await currentCorpus();
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.errorClass] = (counts[entry.errorClass] ?? 0) + 1;
  return counts;
}
