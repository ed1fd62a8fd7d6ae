import { pictureLayoutSchema, type PictureLayout } from '../schemas/edit.js';
import { defineDocument, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

/** How a run's picture is cut into keyed stretches; written before its video, so a complete run has one. */
export const pictureLayoutDoc = defineDocument({ name: 'picture-layout', version: 1, schema: pictureLayoutSchema });

export async function readPictureLayout(projectId: Id, runId: Id): Promise<PictureLayout | null> {
  return (await readJSON(keys.runPictureLayout(projectId, runId), pictureLayoutDoc))?.value ?? null;
}

export async function storePictureLayout(projectId: Id, runId: Id, layout: PictureLayout): Promise<void> {
  await writeJSON(keys.runPictureLayout(projectId, runId), pictureLayoutDoc, layout);
}
