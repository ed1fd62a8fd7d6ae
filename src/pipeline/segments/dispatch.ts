import { segmentSignature } from '../../http/signing.js';
import { invokeBackground } from '../../runs/trigger.js';
import type { Id } from '../../storage/index.js';

/** Starts the background invocation that renders one segment of a run. */
export async function triggerSegment(origin: string, projectId: Id, runId: Id, segment: number): Promise<void> {
  await invokeBackground(origin, { projectId, runId, segment, signature: segmentSignature(projectId, runId, segment) });
}
