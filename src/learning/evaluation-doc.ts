import { evaluationSchema } from '../schemas/memory.js';
import { defineDocument } from '../storage/index.js';

/** `sirtrav-evals/{runId}/evaluation.json`. */
export const evaluationDoc = defineDocument('evaluation', 1, evaluationSchema);
