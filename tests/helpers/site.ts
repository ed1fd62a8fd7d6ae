import { createHash, randomBytes } from 'node:crypto';
import { rateRun } from '../../src/learning/evaluations.js';
import { examinePhoto, storePhoto } from '../../src/media/library.js';
import { appendProgress } from '../../src/progress/event-log.js';
import { createProject } from '../../src/projects/index.js';
import { keys, openStore, putBinary, STORE_IDS, type Id } from '../../src/storage/index.js';
import { makePhoto } from './photos.js';
import { makeCompleteRun } from './runs.js';

/** A project with photos, a complete rated run with a (synthetic) video and audio, and progress: written straight to storage. */
export async function plantProject(seed: number, options: { photos?: number; videoBytes?: number } = {}): Promise<Id> {
  const { projectId } = await createProject(`site ${seed}`);
  for (let i = 0; i < (options.photos ?? 2); i++) {
    await storePhoto(
      projectId,
      await examinePhoto(await makePhoto('jpeg', { seed: seed * 100 + i, width: 160, height: 120 }), `photo-${i}.jpg`),
    );
  }
  const runId = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'ambient', theme: `Theme ${seed}` });
  await putBinary(keys.video(runId), randomBytes(options.videoBytes ?? 50_000), {
    contentType: 'video/mp4',
    runId,
    projectId,
    createdAt: new Date().toISOString(),
  });
  await putBinary(keys.voice(projectId, runId, 'wav'), randomBytes(8_000), {
    contentType: 'audio/wav',
    provider: 'local',
    durationSec: 1,
  });
  await appendProgress(projectId, runId, { agent: 'pipeline', status: 'completed', progress: 1, message: 'done' });
  await rateRun(projectId, runId, { rating: seed % 2 === 0 ? 'good' : 'bad', comment: `seed ${seed}` });
  return projectId;
}

/** Every blob of every store: key → SHA-256 of the bytes, size and metadata (to compare two sites exactly). */
export async function snapshotSite(): Promise<Map<string, { sha256: string; size: number; metadata: string }>> {
  const snapshot = new Map<string, { sha256: string; size: number; metadata: string }>();
  for (const store of STORE_IDS) {
    for await (const page of openStore(store).list({ paginate: true })) {
      for (const { key } of page.blobs) {
        const blob = await openStore(store).getWithMetadata(key, { type: 'arrayBuffer', consistency: 'strong' });
        if (!blob) continue;
        const bytes = new Uint8Array(blob.data);
        snapshot.set(`${store}:${key}`, {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.byteLength,
          metadata: JSON.stringify(blob.metadata),
        });
      }
    }
  }
  return snapshot;
}
