import { narrationTimingSchema, type SpokenLine } from '../schemas/captions.js';
import { defineDocument, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

export const narrationTimingDoc = defineDocument({
  name: 'narration-timing',
  version: 1,
  schema: narrationTimingSchema,
});

/** Stored before the voice track itself, so a run whose voice is stored always has its timing. */
export async function storeNarrationTiming(projectId: Id, runId: Id, lines: SpokenLine[]): Promise<void> {
  await writeJSON(keys.runNarration(projectId, runId), narrationTimingDoc, { lines });
}

/** The lines heard and their lengths; null for a run voiced before timing was stored. */
export async function readNarrationTiming(projectId: Id, runId: Id): Promise<SpokenLine[] | null> {
  return (await readJSON(keys.runNarration(projectId, runId), narrationTimingDoc))?.value.lines ?? null;
}
