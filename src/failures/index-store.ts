import { z } from 'zod';
import { idSchema } from '../schemas/common.js';
import { defineDocument, keys, listEtags, readJSON, UNCHANGED, updateJSON } from '../storage/index.js';
import { packTerms } from './terms.js';

/**
 * The cross-project failure index: 16 shards in Blobs, each updated by
 * compare-and-swap when an episode is added or resolved, all rebuildable from
 * the episodes themselves (see rebuild.ts). A warm function keeps the parsed
 * shards and re-reads one only when its metadata hash has changed.
 */
export const SHARDS = 16;
/** Newest episodes kept per shard (80,000 in all); older ones stay stored, only out of the search. */
export const MAX_PER_SHARD = 5000;
const SHARD_PREFIX = 'ops/failures/shard-';

export const indexEntrySchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  at: z.string(),
  step: z.string().nullable(),
  errorClass: z.string(),
  code: z.string(),
  message: z.string().max(300),
  pre: z.object({
    tool: z.string().nullable(),
    provider: z.string().nullable(),
    resolution: z.string().nullable(),
    durationSec: z.number().nullable(),
  }),
  /** The operator's note on what fixed it, once recorded. */
  resolution: z.string().nullable(),
  /** Packed term frequencies (see text.ts packTerms). */
  terms: z.string().max(4000),
});
export type IndexEntry = z.infer<typeof indexEntrySchema>;

const shardSchema = z.object({ entries: z.array(indexEntrySchema) });
type Shard = z.infer<typeof shardSchema>;
/** v1 kept terms as an object; v2 packs them into one string. */
const shardDoc = defineDocument({
  name: 'failure-shard',
  version: 2,
  schema: shardSchema,
  migrate: (value) => {
    const shard = value as { entries: Array<Record<string, unknown> & { terms: Record<string, number> | string }> };
    return {
      entries: shard.entries.map((entry) => ({
        ...entry,
        terms: typeof entry.terms === 'string' ? entry.terms : packTerms(entry.terms),
      })),
    };
  },
});

/** FNV-1a of the run id: the same run always lands in the same shard. */
export function shardOf(runId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) hash = Math.imul(hash ^ runId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % SHARDS;
}

const byAt = (a: IndexEntry, b: IndexEntry) => a.at.localeCompare(b.at) || a.runId.localeCompare(b.runId);

/** Adds or replaces one entry. */
export async function putEntry(entry: IndexEntry): Promise<void> {
  await updateJSON(keys.failureShard(shardOf(entry.runId)), shardDoc, (current) => ({
    entries: [...(current?.entries ?? []).filter((e) => e.runId !== entry.runId), entry]
      .sort(byAt)
      .slice(-MAX_PER_SHARD),
  }));
  invalidate();
}

/** Changes one entry in place; `null` when the run is not in the index. */
export async function patchEntry(runId: string, patch: (entry: IndexEntry) => IndexEntry): Promise<IndexEntry | null> {
  const result: { entry: IndexEntry | null } = { entry: null };
  await updateJSON(keys.failureShard(shardOf(runId)), shardDoc, (current) => {
    result.entry = null;
    const entries = (current?.entries ?? []).map((entry) =>
      entry.runId === runId ? (result.entry = patch(entry)) : entry,
    );
    return result.entry ? { entries } : UNCHANGED;
  });
  invalidate();
  return result.entry;
}

export async function findEntry(runId: string): Promise<IndexEntry | null> {
  const shard = (await readJSON(keys.failureShard(shardOf(runId)), shardDoc))?.value;
  return shard?.entries.find((entry) => entry.runId === runId) ?? null;
}

/**
 * Replaces a shard with rebuilt entries, keeping entries added since the rebuild
 * began (their episodes were written after the listing passed them).
 */
export async function replaceShard(n: number, rebuilt: IndexEntry[], since: string): Promise<void> {
  const ids = new Set(rebuilt.map((entry) => entry.runId));
  await updateJSON(keys.failureShard(n), shardDoc, (current) => ({
    entries: [...rebuilt, ...(current?.entries ?? []).filter((entry) => !ids.has(entry.runId) && entry.at >= since)]
      .sort(byAt)
      .slice(-MAX_PER_SHARD),
  }));
  invalidate();
}

const cache = new Map<number, { etag: string; shard: Shard }>();
/** Shard hashes are checked again after this long; a write from this instance checks them at once. */
const REVALIDATE_MS = 1000;
let checked: { at: number; result: { shards: Shard[]; version: string } } | undefined;

/** Forgets when shards were last checked, after this instance changed one. */
function invalidate(): void {
  checked = undefined;
}

/**
 * Every shard, each read again only if its etag changed since this
 * instance last read it. Etags are re-checked at most once a second, so a
 * change made by another instance is seen within a second.
 */
export async function loadShards(): Promise<{ shards: Shard[]; version: string }> {
  if (checked && Date.now() - checked.at < REVALIDATE_MS) return checked.result;
  const at = Date.now();
  // One listing gives every shard's etag; only shards whose etag changed are read. The etag is taken before the
  // read, so a write landing in between makes the next check read the shard again.
  const etags = await listEtags('runs', SHARD_PREFIX);
  const shards = await Promise.all(
    Array.from({ length: SHARDS }, async (_, n) => {
      const ref = keys.failureShard(n);
      const etag = etags.get(ref.key);
      if (etag === undefined) return { etag: 'none', shard: { entries: [] } };
      const cached = cache.get(n);
      if (cached?.etag === etag) return cached;
      const fresh = { etag, shard: (await readJSON(ref, shardDoc))?.value ?? { entries: [] } };
      cache.set(n, fresh);
      return fresh;
    }),
  );
  const result = { shards: shards.map((s) => s.shard), version: shards.map((s) => s.etag).join('|') };
  checked = { at, result };
  return result;
}
