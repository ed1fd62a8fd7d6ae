import { z } from 'zod';
import { reflectionSchema } from './failure.js';
import { idSchema, isoDate } from './common.js';

const percentiles = {
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  count: z.number().int(),
};
const runCounts = z.record(z.string(), z.number().int());

/** GET /api/admin/stats */
export const statsSchema = z.object({
  stores: z.record(z.string(), z.object({ blobs: z.number().int(), bytes: z.number().int() })),
  /** Runs created in the last 7 days, by current status. */
  runs: runCounts,
  runWindows: z.object({ last24h: runCounts, last7d: runCounts }),
  agents: z.record(z.string(), z.object(percentiles)),
  /** Failure episodes in the index, by error class. */
  failures: z.record(z.string(), z.number().int()),
  routes: z.record(z.string(), z.object({ ...percentiles, errorRate: z.number(), clientErrorRate: z.number() })),
  /** hitRate is hits / (hits + misses), 0 before any lookup. */
  cache: z.object({ hits: z.number().int(), misses: z.number().int(), hitRate: z.number() }),
  series: z.object({
    /** The last 24 hours, oldest first: every route together. */
    latency: z.array(z.object({ hour: z.string(), ...percentiles, errorRate: z.number() })),
    /** The last 7 days, oldest first: runs created that day by current status. */
    runsPerDay: z.array(z.object({ day: z.string(), runs: runCounts })),
  }),
  window: z.object({ from: isoDate, to: isoDate }),
  computeMs: z.number(),
  generatedAt: isoDate,
});
export type Stats = z.infer<typeof statsSchema>;

export const failureSearchQuerySchema = z.object({
  q: z.string().max(2000).default(''),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  step: z.string().max(32).optional(),
  errorClass: z.string().max(32).optional(),
  code: z.string().max(64).optional(),
  tool: z.string().max(80).optional(),
  provider: z.string().max(80).optional(),
  resolution: z.string().max(16).optional(),
});

export const failureSearchResponseSchema = z.object({
  results: z.array(
    z.object({
      episode: z.record(z.string(), z.unknown()),
      reflection: reflectionSchema.nullable(),
      score: z.number(),
    }),
  ),
  indexed: z.number().int(),
  tookMs: z.number(),
});

export const resolutionBodySchema = z.strictObject({ resolution: z.string().trim().min(1).max(1000) });
export const resolutionResponseSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  resolution: z.string(),
  at: isoDate,
});

export const rebuildResponseSchema = z.object({
  episodes: z.number().int(),
  unreadable: z.number().int(),
  ms: z.number(),
});
