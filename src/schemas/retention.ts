import { z } from 'zod';

export const PHASES = ['progress', 'runs', 'uploads', 'media', 'shares'] as const;

export const cleanupBodySchema = z.strictObject({
  dryRun: z.boolean().optional(),
  /** Decide as if it were this time (e.g. to preview what next month's pass would remove). */
  now: z.iso.datetime({ offset: true }).optional(),
});

export const cleanupCursorSchema = z.object({
  phase: z.enum(PHASES),
  lastKey: z.string().nullable(),
  savedAt: z.string(),
});

export const cleanupReportSchema = z.object({
  dryRun: z.boolean(),
  now: z.string(),
  complete: z.boolean(),
  resumedFrom: cleanupCursorSchema.nullable(),
  cursor: cleanupCursorSchema.nullable(),
  examined: z.number().int(),
  deleted: z.object({
    progress: z.number(),
    runs: z.number(),
    runDocuments: z.number(),
    audio: z.number(),
    media: z.number(),
    uploads: z.number(),
    shares: z.number(),
  }),
  archived: z.number().int(),
  kept: z.object({
    active: z.number(),
    /** Items of projects an import is still writing (see src/portability/marker.ts): judged once the import is done. */
    importing: z.number(),
    unreadable: z.number(),
    recent: z.object({ progress: z.number(), runs: z.number(), media: z.number(), uploads: z.number() }),
  }),
  unreadable: z.array(z.object({ store: z.string(), key: z.string(), reason: z.string() })),
  errors: z.array(z.object({ phase: z.string(), key: z.string(), message: z.string() })),
  policy: z.record(z.string(), z.union([z.number(), z.string()])),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type CleanupReport = z.infer<typeof cleanupReportSchema>;
