import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import { runStateSchema, type RunState } from '../../src/schemas/run.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

describe('a run end to end over HTTP', () => {
  it('5 photos → a 6 s 360p H.264/AAC video, followed over SSE to done', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    const media = await uploadPhotos(api, 5);

    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 6, resolution: '360p', theme: 'A week in Lisbon' }),
    });
    expect(started.status).toBe(202);
    const { runId, status, links } = (await started.json()) as {
      runId: string;
      status: string;
      links: { self: string; progress: string; video: string };
    };
    expect(status).toBe('queued');

    const events: ProgressEvent[] = [];
    const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
    expect(final?.status, JSON.stringify(final)).toBe('complete');

    // One coherent history: seqs 1..n, progress never decreasing, every agent started and finished.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e, i) => i === 0 || e.progress >= events[i - 1]!.progress)).toBe(true);
    for (const agent of ['director', 'voice', 'music', 'compose']) {
      expect(
        events.some((e) => e.agent === agent && e.status === 'completed'),
        agent,
      ).toBe(true);
    }
    expect(events.filter((e) => e.agent === 'compose' && e.status === 'progress').length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'complete', progress: 1 });

    const state = runStateSchema.parse(await (await fetch(links.self)).json()) as RunState;
    expect(state.status).toBe('complete');
    const uploaded = new Set(media.map((m) => m.mediaId));
    expect(state.storyboard!.shots.length).toBeGreaterThan(0);
    expect(state.storyboard!.shots.every((shot) => uploaded.has(shot.mediaId!))).toBe(true);
    expect(state.providers).toMatchObject({
      director: 'local',
      voice: 'local',
      music: 'local-synth',
      compose: 'ffmpeg',
    });
    expect(Object.keys(state.timings ?? {}).sort()).toEqual(['compose', 'director', 'music', 'voice']);

    const video = await fetch(links.video);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const bytes = new Uint8Array(await video.arrayBuffer());
    expect(bytes.byteLength).toBe(state.status === 'complete' ? state.outputs.video!.bytes : -1);
    const mp4 = await inspectMp4(bytes);
    expect(mp4).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '640x360' });
    expect(Math.abs(mp4.durationSec - 6)).toBeLessThanOrEqual(0.25);

    // Players seek with ranges.
    const part = await fetch(links.video, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.byteLength}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...bytes.subarray(100, 200)]);
    const tail = await fetch(links.video, { headers: { range: 'bytes=-10' } });
    expect([...new Uint8Array(await tail.arrayBuffer())]).toEqual([...bytes.subarray(bytes.byteLength - 10)]);
    const beyond = await fetch(links.video, { headers: { range: `bytes=${bytes.byteLength}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.byteLength}`);

    const list = (await (await fetch(api('/runs'))).json()) as { runs: Array<{ runId: string; status: string }> };
    expect(list.runs[0]).toMatchObject({ runId, status: 'complete' });
  });
});
