import { segmentSignature } from '../../http/signing.js';
import { retry } from '../../retry.js';
import type { Id } from '../../storage/index.js';

/** Asks Netlify for a background invocation that renders one segment of a run (it answers 202 at once). */
export async function triggerSegment(origin: string, projectId: Id, runId: Id, segment: number): Promise<void> {
  const url = new URL('/.netlify/functions/run-pipeline-background', origin);
  const body = JSON.stringify({ projectId, runId, segment, signature: segmentSignature(projectId, runId, segment) });
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
