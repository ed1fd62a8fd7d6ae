import { findFfmpeg } from '../media/find-ffmpeg.js';
import { rendererSchema, type Renderer } from '../schemas/health.js';
import { defineDocument, keys, readJSON, writeJSON } from '../storage/index.js';

const rendererDoc = defineDocument({ name: 'renderer', version: 1, schema: rendererSchema });

/**
 * What the render function found when it last started: on Netlify ffmpeg ships
 * only in that function, so the API's health check cannot look for itself.
 */
export async function recordRenderer(): Promise<Renderer> {
  const report: Renderer = { ffmpeg: await findFfmpeg(), checkedAt: new Date().toISOString() };
  await writeJSON(keys.rendererReport(), rendererDoc, report);
  return report;
}

export async function lastRenderer(): Promise<Renderer | null> {
  return (await readJSON(keys.rendererReport(), rendererDoc))?.value ?? null;
}
