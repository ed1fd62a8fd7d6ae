import { failureEpisodeSchema, type FailureEpisode } from '../schemas/failure.js';
import { defineDocument, keys, readJSON, type Id } from '../storage/index.js';

/** A failed run's episode (runs/…/failure.json): written by the pipeline, read by the failure memory. */
export const failureDoc = defineDocument({ name: 'failure-episode', version: 1, schema: failureEpisodeSchema });

export async function readFailure(projectId: Id, runId: Id): Promise<FailureEpisode | null> {
  return (await readJSON(keys.runFailure(projectId, runId), failureDoc))?.value ?? null;
}
