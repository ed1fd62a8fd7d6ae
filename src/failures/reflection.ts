import { z } from 'zod';

import { judgedSchema, type Preconditions, type Reflection, type ResolutionNote } from '../schemas/failure.js';

export { type Preconditions, type Reflection, type ResolutionNote };

const judged = judgedSchema;

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
