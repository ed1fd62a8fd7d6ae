import { z } from 'zod';

const confidence = z.number().min(0).max(1);
const judged = z.object({ text: z.string().min(1).max(600), confidence });
const precondition = <T extends z.ZodType>(value: T) => z.object({ value: value.nullable(), confidence });

/** The conditions a failure happened under; a later failure under the same ones is more likely the same failure. */
export const preconditionsSchema = z.object({
  tool: precondition(z.string().max(80)),
  resolution: precondition(z.string().max(16)),
  durationSec: precondition(z.number()),
  provider: precondition(z.string().max(80)),
});
export type Preconditions = z.infer<typeof preconditionsSchema>;

export const resolutionNoteSchema = z.object({
  text: z.string().min(1).max(1000),
  /** `operator`: recorded on this failure; `seen-before`: recorded on a similar earlier one. */
  source: z.enum(['operator', 'seen-before']),
  runId: z.string(),
  projectId: z.string(),
  at: z.string(),
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

/** What a model is asked to write; the preconditions and resolutions stay with the code. */
export const llmReflectionSchema = z.object({
  rootCause: judged,
  resolutionStrategy: judged,
  prevention: judged,
});

/** The facts of a failure a reflection is drawn from. */
export interface FailureFacts {
  errorClass: string;
  code: string;
  step: string | null;
  message: string;
  /** agent → provider, e.g. `{ voice: 'openai' }`. */
  providers: Record<string, string>;
  resolution: string | null;
  durationSec: number | null;
}
