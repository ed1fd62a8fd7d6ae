import { z } from 'zod';
import { idSchema } from './common.js';
import { ratingSchema } from './memory.js';
import { runErrorSchema, runLinksSchema, runStatusSchema, startRunBodySchema, videoStyleFields } from './run.js';

/** What stays of a run after retention deletes its documents: enough for history and audit. */
export const archiveRecordSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  status: runStatusSchema,
  createdAt: z.string(),
  finishedAt: z.string(),
  timings: z.record(z.string(), z.unknown()).nullable(),
  providers: z.record(z.string(), z.string()).nullable(),
  storyboard: z.object({ ...videoStyleFields, resolution: z.string(), shots: z.number().int() }).nullable(),
  video: z.object({ bytes: z.number(), durationSec: z.number(), width: z.number(), height: z.number() }).nullable(),
  // `retryable`, `request` and `progress` are archived since the archived run is served whole; older records lack them.
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean().optional() }).nullable(),
  request: startRunBodySchema.optional(),
  progress: z.number().min(0).max(1).optional(),
  rating: ratingSchema.nullable(),
  archive_reason: z.literal('retention_expired'),
  archivedAt: z.string(),
});
export type ArchiveRecord = z.infer<typeof archiveRecordSchema>;

/**
 * GET …/runs/{runId} once retention has removed the run's documents: the RunState fields its archive record
 * fills, `archived: true`, and the record itself. A record written before requests were archived gives `{}`
 * as the request; `step` is null; `progress` is the run's last (for older records: 1 if complete, else 0).
 */
export const archivedRunSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  status: runStatusSchema,
  step: z.null(),
  progress: z.number().min(0).max(1),
  request: startRunBodySchema,
  outputs: z.object({ video: archiveRecordSchema.shape.video.unwrap() }).optional(),
  error: runErrorSchema.pick({ code: true, message: true, retryable: true }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.literal(true),
  archive: archiveRecordSchema,
});
export type ArchivedRun = z.infer<typeof archivedRunSchema>;

export const archivedRunResponseSchema = archivedRunSchema.extend({ links: runLinksSchema });
