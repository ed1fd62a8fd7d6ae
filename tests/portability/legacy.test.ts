import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleMemoryIndex } from '../../src/learning/memory.js';
import { listMedia, mediaIdFor } from '../../src/media/library.js';
import { importLegacy } from '../../src/portability/legacy.js';
import { createProject } from '../../src/projects/index.js';
import { readRunState } from '../../src/runs/index.js';
import { getVideo, type Id } from '../../src/storage/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';

useBlobsSandbox();
const FIXTURE = join(import.meta.dirname, '../fixtures/legacy');
const fixture = (path: string) => readFileSync(join(FIXTURE, path));

describe('importing the original SirTrav layout', () => {
  it("maps every file to today's stores and keys, with an exact report", async () => {
    const { projectId: p } = await createProject('legacy');
    const beach = mediaIdFor(fixture('sirtrav-media/uploads/beach.jpg')).mediaId;
    const harbour = mediaIdFor(fixture('tmp/run_porto/photos/harbour.png')).mediaId;
    const report = await importLegacy(FIXTURE, { projectId: p });
    expect(report).toEqual({
      projectId: p,
      files: [
        { file: 'notes.txt', action: 'refused', reason: 'not part of the SirTrav layout' },
        {
          file: 'sirtrav-evals/memory_index.json',
          action: 'converted',
          to: `sirtrav-evals/projects/${p}/memory_index.json`,
          reason:
            'flat memory array: 1 rating(s) → evaluations and memory_index.json; 1 left out (no complete run of this import)',
        },
        {
          file: 'sirtrav-media/uploads/beach.jpg',
          action: 'taken',
          to: `sirtrav-media/projects/${p}/media/${beach}`,
          reason: 'photo 48×32 image/jpeg',
        },
        { file: 'sirtrav-runs/bad id!/state.json', action: 'refused', reason: '"bad id!" is not a valid run id' },
        {
          file: 'sirtrav-runs/run_lisbon/state.json',
          action: 'converted',
          to: `sirtrav-runs/projects/${p}/runs/run_lisbon/state.json`,
          reason: 'status completed → complete',
        },
        {
          file: 'sirtrav-videos/run_lisbon/final.mp4',
          action: 'taken',
          to: 'sirtrav-videos/run_lisbon/final.mp4',
          reason: 'video 96×64, 1.00 s',
        },
        { file: 'tmp/run_faro/music.wav', action: 'refused', reason: 'run run_faro has no state.json' },
        {
          file: 'tmp/run_porto/evaluation.json',
          action: 'refused',
          reason: 'run run_porto is failed; only a complete run can be rated',
        },
        {
          file: 'tmp/run_porto/photos/beach.jpg',
          action: 'taken',
          to: `sirtrav-media/projects/${p}/media/${beach}`,
          reason: 'same photo as sirtrav-media/uploads/beach.jpg',
        },
        {
          file: 'tmp/run_porto/photos/broken.jpg',
          action: 'refused',
          reason:
            'Only JPEG, PNG, WebP, AVIF and HEIC/HEIF photos and MP4/MOV clips are accepted; these bytes are not a recognised file type.',
        },
        {
          file: 'tmp/run_porto/photos/harbour.png',
          action: 'taken',
          to: `sirtrav-media/projects/${p}/media/${harbour}`,
          reason: 'photo 40×40 image/png',
        },
        {
          file: 'tmp/run_porto/state.json',
          action: 'converted',
          to: `sirtrav-runs/projects/${p}/runs/run_porto/state.json`,
          reason: 'status running → failed (legacy_interrupted)',
        },
        {
          file: 'tmp/run_porto/voice.wav',
          action: 'taken',
          to: `sirtrav-audio/projects/${p}/runs/run_porto/voice.wav`,
          reason: 'voice track',
        },
      ],
      counts: { taken: 5, converted: 3, refused: 5 },
    });

    // What the report says is what storage holds, in today's shapes.
    expect((await listMedia(p)).map((m) => m.mediaId).sort()).toEqual([beach, harbour].sort());
    const lisbon = await readRunState(p, 'run_lisbon' as Id);
    expect(lisbon).toMatchObject({
      status: 'complete',
      request: { theme: 'Lisbon in July', mood: 'upbeat', musicStyle: 'acoustic' },
      outputs: { video: { width: 96, height: 64, videoCodec: 'h264', audioCodec: 'aac' } },
    });
    expect(Buffer.from((await getVideo('run_lisbon' as Id))!.data)).toEqual(
      fixture('sirtrav-videos/run_lisbon/final.mp4'),
    );
    const porto = await readRunState(p, 'run_porto' as Id);
    expect(porto).toMatchObject({
      status: 'failed',
      error: { code: 'legacy_interrupted' },
      mediaIds: [beach, harbour],
    });
    const memory = await settleMemoryIndex(p);
    expect(memory.video_history).toEqual([
      expect.objectContaining({ runId: 'run_lisbon', rating: 'good', theme: 'Lisbon in July', musicStyle: 'acoustic' }),
    ]);
  });

  it('gives runs new ids when the site already uses theirs, and says so', async () => {
    const report = await importLegacy(FIXTURE);
    const state = report.files.find((line) => line.file === 'sirtrav-runs/run_lisbon/state.json')!;
    const renamed = /run run_lisbon is now (r_\w+): its id was taken/.exec(state.reason)?.[1];
    expect(renamed, state.reason).toBeDefined();
    expect(state.to).toBe(`sirtrav-runs/projects/${report.projectId}/runs/${renamed}/state.json`);
    expect(report.files.find((line) => line.file === 'sirtrav-videos/run_lisbon/final.mp4')!.to).toBe(
      `sirtrav-videos/${renamed}/final.mp4`,
    );
    expect((await settleMemoryIndex(report.projectId)).video_history.map((h) => h.runId)).toEqual([renamed]);
    expect(report.counts).toEqual({ taken: 5, converted: 3, refused: 5 });
  });
});
