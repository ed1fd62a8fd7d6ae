import { evaluationSchema } from '../schemas/memory.js';
import { defineDocument } from '../storage/index.js';

/** `sirtrav-evals/{runId}/evaluation.json`. */
export const evaluationDoc = defineDocument({ name: 'evaluation', version: 1, schema: evaluationSchema });
