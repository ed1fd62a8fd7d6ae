import { SirTravClient } from '../../packages/client/src/index.js';
import type { StartRunBody } from '../../src/schemas/run.js';
import { makePhonePhoto } from '../helpers/phone-photos.js';

export interface LongRender {
  runId: string;
  status: string;
  renderSec: number;
  downloadSec: number;
  video: Uint8Array;
}

/** Uploads `photos` phone photos (12 MP) to a new project, four at a time. */
export async function projectWithPhonePhotos(client: SirTravClient, photos: number) {
  const { projectId, token } = await client.createProject('long render');
  const project = client.forProject(projectId, token);
  for (let first = 0; first < photos; first += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, photos - first) }, (_, i) => makePhonePhoto(first + i)),
    );
    for (const [i, bytes] of batch.entries()) await project.uploadPhoto(bytes, `IMG_${1000 + first + i}.jpg`);
  }
  return project;
}

/**
 * Starts a run, follows it to its end, and downloads its video in ranges. `failed` (the deploy host's) ends
 * the wait at once, with its reason, when the host sees a failure no waiting can mend.
 */
export async function renderAndDownload(
  project: ReturnType<SirTravClient['forProject']>,
  body: StartRunBody,
  failed?: AbortSignal,
): Promise<LongRender> {
  const started = performance.now();
  const { runId } = await project.startRun(body);
  const final = await project.follow(runId, { onEvent: () => undefined, ...(failed ? { signal: failed } : {}) });
  failed?.throwIfAborted();
  const renderSec = (performance.now() - started) / 1000;
  if (final.status !== 'complete')
    return { runId, status: final.status, renderSec, downloadSec: 0, video: new Uint8Array() };
  const downloadStarted = performance.now();
  const video = await project.downloadVideo(runId);
  return { runId, status: final.status, renderSec, downloadSec: (performance.now() - downloadStarted) / 1000, video };
}
