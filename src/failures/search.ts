import { loadShards, type IndexEntry } from './index-store.js';
import { termFrequencies, unpackTerms } from './terms.js';

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
  /** term → entry indices and weights, as typed arrays: a query walks them without allocating. */
  postings: Map<string, { index: Int32Array; weight: Float64Array }>;
  norms: Float64Array;
}

let corpus: Corpus | undefined;

const weightOf = (tf: number, idf: number) => (1 + Math.log(tf * 2)) * idf;

/** A query term in nearly every episode ("error", a trigram of "ffmpeg") ranks nothing; skipping it saves walking its postings. */
const MIN_IDF = 0.05;

/** TF-IDF vectors and an inverted index over every indexed episode, rebuilt only when a shard changed. */
function buildCorpus(entries: IndexEntry[], version: string): Corpus {
  const unpacked = entries.map((entry) => unpackTerms(entry.terms));
  const df = new Map<string, number>();
  for (const terms of unpacked) for (const [term] of terms) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [term, count] of df) idf.set(term, Math.log((entries.length + 1) / (count + 0.5)));
  const postings = new Map<string, { index: Int32Array; weight: Float64Array }>();
  const filled = new Map<string, number>();
  for (const [term, count] of df) {
    postings.set(term, { index: new Int32Array(count), weight: new Float64Array(count) });
    filled.set(term, 0);
  }
  const norms = new Float64Array(entries.length);
  unpacked.forEach((terms, index) => {
    let norm = 0;
    for (const [term, tf] of terms) {
      const weight = weightOf(tf, idf.get(term)!);
      norm += weight * weight;
      const list = postings.get(term)!;
      const at = filled.get(term)!;
      list.index[at] = index;
      list.weight[at] = weight;
      filled.set(term, at + 1);
    }
    norms[index] = Math.sqrt(norm) || 1;
  });
  return { version, entries, idf, postings, norms };
}

async function currentCorpus(): Promise<Corpus> {
  const { shards, version } = await loadShards();
  if (corpus?.version !== version)
    corpus = buildCorpus(
      shards.flatMap((shard) => shard.entries),
      version,
    );
  return corpus;
}

type Wanted = Array<[keyof PreconditionQuery, string]>;

const FIELDS: Record<keyof PreconditionQuery, (entry: IndexEntry) => string | null> = {
  step: (entry) => entry.step,
  errorClass: (entry) => entry.errorClass,
  code: (entry) => entry.code,
  tool: (entry) => entry.pre.tool,
  provider: (entry) => entry.pre.provider,
  resolution: (entry) => entry.pre.resolution,
};

/** The share of the given preconditions the entry matches. */
function preconditionMatch(entry: IndexEntry, wanted: Wanted): number {
  let matched = 0;
  for (const [field, value] of wanted) if (FIELDS[field](entry) === value) matched++;
  return matched / wanted.length;
}

/** Keeps the best `limit` hits in order, without sorting every scored entry. */
function insertTop(top: SearchHit[], hit: SearchHit, limit: number): void {
  const last = top[top.length - 1];
  if (
    top.length === limit &&
    last &&
    (hit.score < last.score || (hit.score === last.score && hit.entry.at <= last.entry.at))
  )
    return;
  let at = top.length;
  while (
    at > 0 &&
    (top[at - 1]!.score < hit.score || (top[at - 1]!.score === hit.score && top[at - 1]!.entry.at < hit.entry.at))
  )
    at--;
  top.splice(at, 0, hit);
  if (top.length > limit) top.pop();
}

/**
 * Episodes ranked by cosine similarity of TF-IDF vectors (words and trigrams),
 * combined with how many of the given preconditions they share.
 */
export async function searchFailures(
  text: string,
  preconditions: PreconditionQuery,
  options: { limit: number; exclude?: string },
): Promise<SearchHit[]> {
  const { entries, idf, postings, norms } = await currentCorpus();
  const query = termFrequencies(text);
  const dots = new Float64Array(entries.length);
  let queryNorm = 0;
  for (const term in query) {
    const termIdf = idf.get(term);
    if (termIdf === undefined || termIdf < MIN_IDF) continue;
    const weight = weightOf(query[term]!, termIdf);
    queryNorm += weight * weight;
    const list = postings.get(term)!;
    for (let k = 0; k < list.index.length; k++) dots[list.index[k]!]! += weight * list.weight[k]!;
  }
  queryNorm = Math.sqrt(queryNorm);
  const wanted = (Object.entries(preconditions) as Wanted).filter(
    ([field, value]) => field in FIELDS && typeof value === 'string',
  );
  const top: SearchHit[] = [];
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    if (entry.runId === options.exclude) continue;
    const textScore = queryNorm > 0 ? dots[index]! / (norms[index]! * queryNorm) : 0;
    const preconditionScore = wanted.length > 0 ? preconditionMatch(entry, wanted) : null;
    // With neither text nor preconditions, every episode scores 0 and the newest come first.
    if (textScore === 0 && !preconditionScore && (queryNorm > 0 || wanted.length > 0)) continue;
    const score =
      preconditionScore === null
        ? textScore
        : queryNorm > 0
          ? TEXT_WEIGHT * textScore + (1 - TEXT_WEIGHT) * preconditionScore
          : preconditionScore;
    insertTop(top, { entry, score: Math.round(score * 1000) / 1000, textScore, preconditionScore }, options.limit);
  }
  return top;
}

/** Episodes by error class, from the index (every project). */
export async function failureCountsByClass(): Promise<Record<string, number>> {
  const { entries } = await currentCorpus();
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[entry.errorClass] = (counts[entry.errorClass] ?? 0) + 1;
  return counts;
}
