import type { Context } from '@netlify/functions';
import { authMode } from '../../src/http/auth.js';
import { pipelineSignature, sameSignature, segmentSignature } from '../../src/http/signing.js';
import { z } from 'zod';
import { errorFields, log } from '../../src/log.js';
import { flushMetrics } from '../../src/metrics/metrics.js';
import { runPipelineProcess, runSegmentProcess, servePipelineProcess } from '../../src/pipeline/index.js';
import { idSchema } from '../../src/storage/index.js';
import { deliverRunWebhook } from '../../src/webhooks/deliver.js';

/** How long the background function keeps retrying a webhook after the run (it has 15 minutes in all). */
const WEBHOOK_BUDGET_MS = 120_000;

const payloadSchema = z.object({
  projectId: idSchema,
  runId: idSchema,
  /** Present when the invocation renders one segment of the run's picture. */
  segment: z.number().int().min(0).max(63).optional(),
  signature: z.string().max(200),
});

/**
 * Background function (the `-background` suffix: Netlify answers the caller 202
 * and gives this up to 15 minutes). It receives ids only; everything else is in
 * Blobs. Running it twice for one run is safe: the orchestrator resumes or exits.
 */
export default async (request: Request, context?: Partial<Context>): Promise<void> => {
  // Without a secret every signature is empty, so only a local process may run work then (as the API, see http/auth).
  if (authMode({ deployContext: context?.deploy?.context }) === 'misconfigured') {
    log.error('background invocation refused: SIRTRAV_API_SECRET is not set');
    return;
  }
  const parsed = payloadSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    log.warn('background invocation with a malformed payload ignored');
    return;
  }
  const { projectId, runId, segment, signature } = parsed.data;
  const expected =
    segment === undefined ? pipelineSignature(projectId, runId) : segmentSignature(projectId, runId, segment);
  if (!sameSignature(signature, expected)) {
    log.warn('background invocation with a bad signature ignored', { projectId, runId });
    return;
  }
  if (segment !== undefined) {
    try {
      await runSegmentProcess(import.meta.url, projectId, runId, segment);
      log.info('segment invocation ended', { projectId, runId, segment });
    } catch (error) {
      // The segment's lease lapses and its coordinator asks for it again (Netlify may retry this invocation too).
      log.error('segment invocation failed', { projectId, runId, segment, ...errorFields(error) });
      throw error;
    }
    return;
  }
  try {
    await runPipelineProcess(import.meta.url, projectId, runId, new URL(request.url).origin);
    log.info('pipeline invocation ended', { projectId, runId });
    // The run's webhook (queued in Blobs when it ended), with retries for a while; the scheduled sweep carries on if this ends first.
    await deliverRunWebhook(projectId, runId, WEBHOOK_BUDGET_MS).catch((error) =>
      log.warn('webhook delivery stopped', errorFields(error)),
    );
  } catch (error) {
    // Thrown only when storage itself failed or the render process died; Netlify retries the invocation and the run resumes.
    log.error('pipeline invocation failed', { projectId, runId, ...errorFields(error) });
    throw error;
  } finally {
    await flushMetrics().catch((error) => log.warn('metrics flush failed', errorFields(error)));
  }
};

await servePipelineProcess(import.meta.url);
