import { z } from 'zod';
import { idSchema } from './common.js';
import { errorClassSchema, severitySchema } from './error.js';

/** What an operator reads to understand a failed run, stored at `…/runs/{runId}/failure.json`. */
export const failureEpisodeSchema = z.object({
  runId: idSchema,
  projectId: idSchema,
  at: z.string(),
  goal: z.string(),
  step: z.string().nullable(),
  error_class: errorClassSchema,
  severity: severitySchema,
  code: z.string(),
  message: z.string(),
  error_trace: z.string(),
  tool_chain: z.array(z.string()),
  actions_taken: z.array(z.string()),
  environment_info: z.record(z.string(), z.unknown()),
});
export type FailureEpisode = z.infer<typeof failureEpisodeSchema>;

/** A short, bounded list of the project's failures, for finding similar ones without listing every run. */
export const failureIndexSchema = z.object({
  entries: z.array(z.object({ runId: idSchema, at: z.string(), step: z.string().nullable(), errorClass: errorClassSchema, code: z.string(), message: z.string() })).max(100),
});
