import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { errorFields, log } from '../../src/log.js';
import { runPipelineProcess, servePipelineProcess } from '../../src/pipeline/pipeline-process.js';
import { pipelineSignature } from '../../src/runs/start.js';
import { idSchema } from '../../src/storage/index.js';

const payloadSchema = z.object({ projectId: idSchema, runId: idSchema, signature: z.string().max(200) });

/**
 * Background function (the `-background` suffix: Netlify answers the caller 202
 * and gives this up to 15 minutes). It receives ids only; everything else is in
 * Blobs. Running it twice for one run is safe: the orchestrator resumes or exits.
 */
export default async (request: Request): Promise<void> => {
  const parsed = payloadSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    log.warn('background invocation with a malformed payload ignored');
    return;
  }
  const { projectId, runId, signature } = parsed.data;
  const expected = Buffer.from(pipelineSignature(projectId, runId));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    log.warn('background invocation with a bad signature ignored', { projectId, runId });
    return;
  }
  try {
    await runPipelineProcess(import.meta.url, projectId, runId);
    log.info('pipeline invocation ended', { projectId, runId });
  } catch (error) {
    // Thrown only when storage itself failed or the render process died; Netlify retries the invocation and the run resumes.
    log.error('pipeline invocation failed', { projectId, runId, ...errorFields(error) });
    throw error;
  }
};

await servePipelineProcess(import.meta.url);
