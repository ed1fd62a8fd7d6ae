import { storyboardSchema } from '../schemas/run.js';
import { defineDocument } from '../storage/index.js';

/** A run's storyboard, stored once by the director before anything uses it. */
export const storyboardDoc = defineDocument('storyboard', 1, storyboardSchema);
