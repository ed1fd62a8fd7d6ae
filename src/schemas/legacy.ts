import { z } from 'zod';

/**
 * What the original SirTrav stored, loosely shaped and named as it named it:
 * read by the legacy importer and by the memory index's own migration.
 */

/** A rating as the original app wrote it: good/bad, up/down, like/dislike, 1/-1, true/false, … */
const legacyRatingValue = z.union([z.string(), z.number(), z.boolean()]);

/** A time as the original app wrote it: an ISO string or epoch milliseconds. */
const legacyTimeValue = z.union([z.string(), z.number()]);

/** The style of a video, in the original app's names (its length was `duration`). */
const legacyStyle = {
  theme: z.string().optional(),
  mood: z.string().optional(),
  musicStyle: z.string().optional(),
  duration: z.number().optional(),
};

/** Its memory: a flat array of rating entries. */
export const legacyEntriesSchema = z.array(
  z
    .object({
      runId: z.string().optional(),
      rating: legacyRatingValue.optional(),
      ...legacyStyle,
      durationSec: z.number().optional(),
      timestamp: legacyTimeValue.optional(),
    })
    .passthrough(),
);
export type LegacyEntry = z.infer<typeof legacyEntriesSchema>[number];

/** A run's own rating (`evaluation.json` in its run folder). */
export const legacyRatingSchema = z.looseObject({ rating: legacyRatingValue, comment: z.string().optional() });

/** A run's state. */
export const legacyStateSchema = z.looseObject({
  status: z.string().optional(),
  ...legacyStyle,
  createdAt: legacyTimeValue.optional(),
  updatedAt: legacyTimeValue.optional(),
});
export type LegacyState = z.infer<typeof legacyStateSchema>;

/** A legacy time as an ISO string, or `fallback` where there is none or it cannot be read. */
export function legacyTime(value: unknown, fallback: string): string {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : fallback;
}
