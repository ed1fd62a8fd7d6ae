import { storyboardSchema, type Storyboard } from '../schemas/run.js';
import { defineDocument, keys, readJSON, type Id } from '../storage/index.js';

/** A run's storyboard, stored once by the director before anything uses it. */
export const storyboardDoc = defineDocument({ name: 'storyboard', version: 1, schema: storyboardSchema });

export async function readStoryboard(projectId: Id, runId: Id): Promise<Storyboard | null> {
  return (await readJSON(keys.runStoryboard(projectId, runId), storyboardDoc))?.value ?? null;
}
