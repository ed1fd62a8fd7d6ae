import { describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/index.js';
import { runRepair } from '../../src/repair/index.js';
import { readRunState } from '../../src/runs/index.js';
import { keys, openStore, putVideo, videoIsStored } from '../../src/storage/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';
import { makeCompleteRun } from '../helpers/runs.js';

useBlobsSandbox();
const MiB = 1024 * 1024;
const video = (fill: number) => new Uint8Array(2 * MiB + 1).fill(fill);

async function keysOf(runId: string): Promise<string[]> {
  return (await openStore('videos').list({ prefix: `${runId}/` })).blobs.map((b) => b.key).sort();
}

describe('repair and videos stored in pieces', () => {
  it('keeps a whole video, removes the pieces of an earlier write once the grace period is over, and fails a run whose piece is missing', async () => {
    const { projectId } = await createProject('repair-pieces');
    const rewritten = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    const first = await putVideo({
      runId: rewritten,
      bytes: video(1),
      metadata: { contentType: 'video/mp4', runId: rewritten, projectId },
      pieceBytes: MiB,
    });
    const second = await putVideo({
      runId: rewritten,
      bytes: video(2),
      metadata: { contentType: 'video/mp4', runId: rewritten, projectId },
      pieceBytes: MiB,
    });
    const broken = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    const index = await putVideo({
      runId: broken,
      bytes: video(3),
      metadata: { contentType: 'video/mp4', runId: broken, projectId },
      pieceBytes: MiB,
    });
    await openStore('videos').delete(keys.videoPiece(broken, index.generation, 1).key);

    // Within the grace period an earlier generation's pieces may belong to a write whose index is still coming.
    const now = await runRepair({ dryRun: true, budgetMs: 60_000 });
    expect(now.found.orphanVideos).toBe(0);
    expect(now.found.missingOutputs).toBe(1);

    const later = await runRepair({ dryRun: false, budgetMs: 60_000, now: new Date(Date.now() + 2 * 3600_000) });
    expect(later.repaired.orphanVideos).toBe(first.pieces);
    expect(await keysOf(rewritten)).toEqual([
      ...Array.from({ length: second.pieces }, (_, n) => keys.videoPiece(rewritten, second.generation, n).key),
      keys.video(rewritten).key,
    ]);
    expect(await videoIsStored(rewritten)).toBe(true);
    expect(await readRunState(projectId, broken)).toMatchObject({
      status: 'failed',
      error: { code: 'output_missing' },
    });
  });
});
