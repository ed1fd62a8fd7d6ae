import { z } from 'zod';
import { idSchema, isoDate } from './common.js';
import { videoStyleFields } from './run.js';

export const ratingSchema = z.enum(['good', 'bad']);
export type Rating = z.infer<typeof ratingSchema>;

/** The longest comment accepted in a request; what is stored is cut to fit the 1 KB evaluation. */
export const MAX_COMMENT_CHARS = 4000;

export const evaluateBodySchema = z.strictObject({
  rating: ratingSchema,
  comment: z
    .string()
    .max(MAX_COMMENT_CHARS)
    .transform((text) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim())
    .optional(),
});
export type EvaluateBody = z.infer<typeof evaluateBodySchema>;

/** One rating, stored at `sirtrav-evals/{runId}/evaluation.json` (≤ 1 KB): the source of truth for learning. */
export const evaluationSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  rating: ratingSchema,
  comment: z.string().nullable(),
  commentTrimmed: z.boolean(),
  ...videoStyleFields,
  completedAt: isoDate,
  ratedAt: isoDate,
});
export type Evaluation = z.infer<typeof evaluationSchema>;

export const historyEntrySchema = z.object({
  runId: idSchema,
  /** When the run completed; history is ordered by it, newest last. */
  timestamp: isoDate,
  rating: ratingSchema.nullable(),
  theme: z.string(),
  musicStyle: z.string(),
  mood: z.string(),
  durationSec: z.number(),
  ratedAt: isoDate.nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const combinationSchema = z.object({
  mood: z.string(),
  musicStyle: z.string(),
  /** Posterior mean of Beta(1 + good, 1 + bad), with older ratings weighing less. */
  successRate: z.number().min(0).max(1),
  good: z.number().nonnegative(),
  bad: z.number().nonnegative(),
  ratings: z.number().int().nonnegative(),
});
export type Combination = z.infer<typeof combinationSchema>;

export const MEMORY_VERSION = 2;

/** API.md's seed schema, plus `version` and `updatedAt`. */
export const memoryIndexSchema = z.object({
  version: z.literal(MEMORY_VERSION),
  updatedAt: isoDate.nullable(),
  user_preferences: z.object({
    favorite_moods: z.array(z.string()),
    preferred_duration: z.number(),
    disliked_music_styles: z.array(z.string()),
  }),
  video_history: z.array(historyEntrySchema),
  learned_patterns: z.object({ successfulCombinations: z.array(combinationSchema) }),
});
export type MemoryIndex = z.infer<typeof memoryIndexSchema>;
