import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { readSegmentPlan } from '../../src/pipeline/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { getVideo, parseId, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { probeChapters } from '../helpers/chapters.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useLocalServer } from '../helpers/server.js';

// A 12 s 360p video split in three segments, each rendered by a process of its own and joined by stream copy.
beforeAll(() => {
  vi.stubEnv('SIRTRAV_SEGMENT_SECONDS', '0.4');
  vi.stubEnv('SIRTRAV_SEGMENT_CONCURRENCY', '3');
});
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();

describe('chapters of a render split into segments', () => {
  it('survive the join: ffprobe lists the storyboard’s chapters, in its language, each within a frame', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 4, 730);
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 12, resolution: '360p', language: 'nl-BE' }),
    });
    expect(started.status).toBe(202);
    const { runId, links } = (await started.json()) as { runId: Id; links: { self: string; progress: string } };
    const final = await followProgress(links.progress, { onEvent: () => undefined });
    expect(final?.status, JSON.stringify(final)).toBe('complete');
    expect((await readSegmentPlan(parseId(projectId), runId))!.segments).toHaveLength(3);

    const { storyboard } = (await (await fetch(links.self)).json()) as RunState & { status: 'complete' };
    expect(storyboard!.language).toBe('nl');
    // Four photos a day apart: a chapter each, from its shot's start.
    expect(storyboard!.chapters).toEqual(
      storyboard!.shots.map((shot, i) => ({ startSec: shot.startSec, title: `Dag ${i + 1} · Lisbon` })),
    );
    const video = (await getVideo(runId))!.data;
    expect(await inspectMp4(video)).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac' });
    const chapters = await probeChapters(video);
    expect(chapters.map((c) => c.title)).toEqual(storyboard!.chapters.map((c) => c.title));
    chapters.forEach((chapter, i) => {
      expect(Math.abs(chapter.startSec - storyboard!.chapters[i]!.startSec)).toBeLessThanOrEqual(1 / 30);
      expect(chapter.endSec).toBeCloseTo(storyboard!.chapters[i + 1]?.startSec ?? storyboard!.durationSec, 2);
    });
  }, 300_000);
});
