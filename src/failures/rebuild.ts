import { log } from '../log.js';
import { heuristicReflection } from './heuristics.js';
import { failureDoc } from './episodes.js';
import type { FailureEpisode } from '../schemas/failure.js';
import { keys, listKeyPages, readJSON, runOfKey } from '../storage/index.js';
import { entryFromEpisode } from './entry.js';
import { replaceShard, SHARDS, shardOf, type IndexEntry } from './index-store.js';

/** Episodes read at once: the rebuild is bound by round trips, not by bytes. */
const READ_CONCURRENCY = 32;

/** An episode written before reflections gets the heuristic one, so every indexed failure has preconditions. */
function withReflection(episode: FailureEpisode): FailureEpisode {
  if (episode.reflection) return episode;
  const providers = Object.fromEntries(
    episode.tool_chain.map((item) => item.split(':')).filter((pair) => pair.length === 2),
  ) as Record<string, string>;
  return {
    ...episode,
    reflection: heuristicReflection({
      errorClass: episode.error_class,
      code: episode.code,
      step: episode.step,
      message: episode.message,
      providers,
      resolution: null,
      durationSec: null,
    }),
  };
}

/**
 * Rebuilds the failure index from the episodes: lists the runs store page by
 * page, reads each failure.json, and replaces every shard. Entries added while
 * it ran are kept (see replaceShard).
 */
export async function rebuildFailureIndex(): Promise<{ episodes: number; unreadable: number; ms: number }> {
  const started = Date.now();
  const since = new Date(started).toISOString();
  const shards: IndexEntry[][] = Array.from({ length: SHARDS }, () => []);
  let episodes = 0;
  let unreadable = 0;
  for await (const page of listKeyPages('runs', 'projects/')) {
    const found = page.flatMap((key) => {
      const run = runOfKey(key);
      return run && key === keys.runFailure(run.projectId, run.runId).key ? [run] : [];
    });
    for (let i = 0; i < found.length; i += READ_CONCURRENCY) {
      const docs = await Promise.all(
        found
          .slice(i, i + READ_CONCURRENCY)
          .map(({ projectId, runId }) => readJSON(keys.runFailure(projectId, runId), failureDoc).catch(() => null)),
      );
      for (const doc of docs) {
        if (!doc) {
          unreadable++;
          continue;
        }
        const entry = entryFromEpisode(withReflection(doc.value));
        shards[shardOf(entry.runId)]!.push(entry);
        episodes++;
      }
    }
  }
  for (let n = 0; n < SHARDS; n++) await replaceShard(n, shards[n]!, since);
  if (unreadable > 0) log.warn('failure episodes unreadable during the index rebuild', { unreadable });
  return { episodes, unreadable, ms: Date.now() - started };
}
