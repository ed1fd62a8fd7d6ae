import type { z } from 'zod';
import { readFailure } from './episodes.js';
import type { failureSearchQuerySchema, failureSearchResponseSchema } from '../schemas/operations.js';
import { loadShards } from './index-store.js';
import { searchFailures } from './search.js';

/** The search behind GET /api/admin/failures: ranked hits, each with its full episode and reflection. */
export async function findFailures(
  query: z.infer<typeof failureSearchQuerySchema>,
): Promise<z.infer<typeof failureSearchResponseSchema>> {
  const started = performance.now();
  const { q, limit, ...preconditions } = query;
  const hits = await searchFailures(q, preconditions, { limit });
  const episodes = await Promise.all(
    hits.map((hit) => readFailure(hit.entry.projectId, hit.entry.runId).catch(() => null)),
  );
  const results = hits.flatMap((hit, i) => {
    const episode = episodes[i];
    if (!episode) return [];
    const { reflection, ...rest } = episode;
    return [{ episode: rest, reflection: reflection ?? null, score: hit.score }];
  });
  const indexed = (await loadShards()).shards.reduce((sum, shard) => sum + shard.entries.length, 0);
  return { results, indexed, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}
