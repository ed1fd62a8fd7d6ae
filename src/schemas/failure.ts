import { z } from 'zod';
import { idSchema } from './common.js';
import { errorClassSchema, severitySchema } from './error.js';

const confidence = z.number().min(0).max(1);
/** A judgement in words with how sure it is. */
export const judgedSchema = z.object({ text: z.string().min(1).max(600), confidence });
const judged = judgedSchema;
const precondition = <T extends z.ZodType>(value: T) => z.object({ value: value.nullable(), confidence });

/** The conditions a failure happened under; a later failure under the same ones is more likely the same failure. */
export const preconditionsSchema = z.object({
  tool: precondition(z.string().max(80)),
  resolution: precondition(z.string().max(16)),
  durationSec: precondition(z.number()),
  provider: precondition(z.string().max(80)),
});
export type Preconditions = z.infer<typeof preconditionsSchema>;

/** Which run a note or an episode is about, and when it was written. */
const ofRun = { runId: idSchema, projectId: idSchema, at: z.string() };

export const resolutionNoteSchema = z.object({
  text: z.string().min(1).max(1000),
  /** `operator`: recorded on this failure; `seen-before`: recorded on a similar earlier one. */
  source: z.enum(['operator', 'seen-before']),
  ...ofRun,
});
export type ResolutionNote = z.infer<typeof resolutionNoteSchema>;

/** What was learned from one failure episode; stored with the episode. */
export const reflectionSchema = z.object({
  source: z.enum(['heuristic', 'llm']),
  rootCause: judged,
  resolutionStrategy: judged,
  prevention: judged,
  preconditions: preconditionsSchema,
  /** What actually fixed it or a twin of it, best first: an operator's note on this run, then one seen before. */
  resolutions: z.array(resolutionNoteSchema).max(10).default([]),
});
export type Reflection = z.infer<typeof reflectionSchema>;

/** What an operator reads to understand a failed run, stored at `…/runs/{runId}/failure.json`. */
export const failureEpisodeSchema = z.object({
  ...ofRun,
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
  /** Root cause, resolution, prevention and preconditions; absent on episodes older than reflections. */
  reflection: reflectionSchema.optional(),
});
export type FailureEpisode = z.infer<typeof failureEpisodeSchema>;

/** A short, bounded list of the project's failures, for finding similar ones without listing every run. */
export const failureIndexSchema = z.object({
  entries: z
    .array(
      z.object({
        runId: idSchema,
        at: z.string(),
        step: z.string().nullable(),
        errorClass: errorClassSchema,
        code: z.string(),
        message: z.string(),
      }),
    )
    .max(100),
});
