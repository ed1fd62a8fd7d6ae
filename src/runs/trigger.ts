import { pipelineSignature } from '../http/signing.js';
import { retry } from '../retry.js';
import type { Id } from '../storage/index.js';

/** Asks Netlify to run the background function for this run (it answers 202 at once). */
export async function triggerPipeline(origin: string, projectId: Id, runId: Id): Promise<void> {
  const url = new URL('/.netlify/functions/run-pipeline-background', origin);
  const body = JSON.stringify({ projectId, runId, signature: pipelineSignature(projectId, runId) });
  await retry(
    async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 202 || response.ok) return;
      throw new Error(`background function answered ${response.status}`);
    },
    { attempts: 3, baseDelayMs: 200, shouldRetry: () => true },
  );
}
