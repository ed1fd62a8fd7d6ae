import { pipelineSignature } from '../http/signing.js';
import { retry } from '../retry.js';
import type { Id } from '../storage/index.js';

/**
 * Asks Netlify for an invocation of the background function (it answers 202 at once). The payload carries its own
 * signature: the function refuses any invocation it cannot verify.
 */
export async function invokeBackground(origin: string, payload: Record<string, unknown>): Promise<void> {
  const url = new URL('/.netlify/functions/run-pipeline-background', origin);
  const body = JSON.stringify(payload);
  await retry(
    async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await response.body?.cancel();
      if (response.status === 202 || response.ok) return;
      throw new Error(`background function answered ${response.status}`);
    },
    { attempts: 3, baseDelayMs: 200, shouldRetry: () => true },
  );
}

/** Starts (or resumes) the pipeline of one run. */
export async function triggerPipeline(origin: string, projectId: Id, runId: Id): Promise<void> {
  await invokeBackground(origin, { projectId, runId, signature: pipelineSignature(projectId, runId) });
}
