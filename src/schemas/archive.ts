import { z } from 'zod';
import { idSchema } from './common.js';
import { ratingSchema } from './memory.js';
import { runStatusSchema } from './run.js';

/** What stays of a run after retention deletes its documents: enough for history and audit. */
export const archiveRecordSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  status: runStatusSchema,
  createdAt: z.string(),
  finishedAt: z.string(),
  timings: z.record(z.string(), z.unknown()).nullable(),
  providers: z.record(z.string(), z.string()).nullable(),
  storyboard: z
    .object({ theme: z.string(), mood: z.string(), musicStyle: z.string(), durationSec: z.number(), resolution: z.string(), shots: z.number().int() })
    .nullable(),
  video: z.object({ bytes: z.number(), durationSec: z.number(), width: z.number(), height: z.number() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  rating: ratingSchema.nullable(),
  archive_reason: z.literal('retention_expired'),
  archivedAt: z.string(),
});
export type ArchiveRecord = z.infer<typeof archiveRecordSchema>;
