import { createHmac } from 'node:crypto';
import { getConfig } from '../../config.js';
import { retry } from '../../retry.js';
import type { Id } from '../../storage/index.js';

/** Signs a request for one segment, so nobody else can start work through the background function. */
export function segmentSignature(projectId: string, runId: string, segment: number): string {
  const secret = getConfig().SIRTRAV_API_SECRET;
  return secret ? createHmac('sha256', secret).update(`segment:${projectId}:${runId}:${segment}`).digest('base64url') : '';
}

/** Asks Netlify for a background invocation that renders one segment of a run (it answers 202 at once). */
export async function triggerSegment(origin: string, projectId: Id, runId: Id, segment: number): Promise<void> {
  const url = new URL('/.netlify/functions/run-pipeline-background', origin);
  const body = JSON.stringify({ projectId, runId, segment, signature: segmentSignature(projectId, runId, segment) });
  await retry(
    async () => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
      await response.body?.cancel();
      if (response.status === 202 || response.ok) return;
      throw new Error(`background function answered ${response.status}`);
    },
    { attempts: 3, baseDelayMs: 200, shouldRetry: () => true },
  );
}
