import { z } from 'zod';
import { idSchema, isoDate } from './common.js';

const DAY_SEC = 86_400;
/** How long a share lives unless asked otherwise, and the longest it may. */
export const SHARE_DEFAULT_SEC = 7 * DAY_SEC;
export const SHARE_MAX_SEC = 90 * DAY_SEC;
export const SHARE_MIN_SEC = 60;

export const createShareBodySchema = z.strictObject({
  expiresInSec: z
    .number()
    .int()
    .min(SHARE_MIN_SEC)
    .max(SHARE_MAX_SEC)
    .optional()
    .describe(
      `Seconds the link works, ${SHARE_MIN_SEC} to ${SHARE_MAX_SEC} (90 days); default ${SHARE_DEFAULT_SEC} (7 days)`,
    ),
});

/** What a share binds: one run's video of one project, until a time. */
export const shareRecordSchema = z.object({
  shareId: idSchema,
  projectId: idSchema,
  runId: idSchema,
  createdAt: isoDate,
  expiresAt: isoDate,
});
export type ShareRecord = z.infer<typeof shareRecordSchema>;

export const shareResponseSchema = z.object({
  shareId: idSchema,
  /** The public page: no token needed. */
  url: z.url(),
  expiresAt: isoDate,
});

export const shareListResponseSchema = z.object({
  shares: z.array(shareResponseSchema.extend({ createdAt: isoDate })),
});
