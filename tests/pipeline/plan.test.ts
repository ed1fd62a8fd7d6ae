import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import type { Media } from '../../src/schemas/media.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { loadSharp } from '../../src/render/picture/native.js';
import { videoIsStored, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { heicFixture, makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

type Links = { progress: string; voice: string; music: string; video: string };

async function plan(api: (path: string) => string, body: object) {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { runId, links } = (await response.json()) as { runId: string; links: Links };
  const events: ProgressEvent[] = [];
  const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
  expect(final?.status).toBe('complete');
  const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState & { links: Links };
  return { runId, links, state, events };
}

async function upload(api: (path: string) => string, bytes: Uint8Array<ArrayBuffer>, type: string): Promise<Media> {
  const response = await fetch(api('/media'), { method: 'POST', headers: { 'content-type': type }, body: bytes });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { media: Media[] }).media[0]!;
}

describe('a plan (planOnly)', () => {
  it('completes after director, voice and music, with no compose and no video; its audio and photos can be previewed', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 3, 900);
    const started = Date.now();
    const { runId, links, state, events } = await plan(api, {
      durationSec: 8,
      resolution: '720p',
      narration: 'Down by the river. Up in the hills.',
      planOnly: true,
    });
    const tookMs = Date.now() - started;

    expect(state.status).toBe('complete');
    expect(state.outputs).toMatchObject({ plan: true, music: { durationSec: 8 } });
    expect(state.outputs?.video).toBeUndefined();
    expect(state.outputs?.voice?.bytes).toBeGreaterThan(0);
    expect(state.storyboard?.shots.length).toBeGreaterThan(0);
    expect(state.storyboard?.narration.segments?.length).toBeGreaterThan(0);
    expect(Object.keys(state.timings ?? {}).sort()).toEqual(['director', 'music', 'voice']);
    expect(events.some((event) => event.agent === 'compose')).toBe(false);
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'complete', message: 'plan ready' });
    expect(await videoIsStored(runId as Id)).toBe(false);
    console.log(`plan ready in ${tookMs} ms`);

    const video = await fetch(links.video);
    expect(video.status).toBe(409);
    expect(((await video.json()) as { error: { code: string } }).error.code).toBe('no_video');

    for (const track of ['voice', 'music'] as const) {
      const whole = await fetch(links[track]);
      expect(whole.status, track).toBe(200);
      expect(whole.headers.get('content-type')).toBe('audio/wav');
      const bytes = new Uint8Array(await whole.arrayBuffer());
      expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
      expect(bytes.byteLength).toBe(state.outputs![track]!.bytes);
      // Seeking, as an <audio> element does.
      const part = await fetch(api(`/runs/${runId}/audio/${track}`), { headers: { range: 'bytes=100-199' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.byteLength}`);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    }
    expect((await fetch(api(`/runs/${runId}/audio/drums`))).status).toBe(404);

    // The plan renders as it is, with storyboardFrom.
    const { state: rendered } = await plan(api, { storyboardFrom: runId });
    expect(rendered.outputs?.video?.durationSec).toBeCloseTo(8, 0);
    expect(rendered.storyboard?.shots).toEqual(state.storyboard?.shots);
  }, 240_000);

  it('a run without narration has no voice track (audio_not_found)', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 950);
    const { runId, links } = await plan(api, { durationSec: 4, narration: false, planOnly: true });
    const voice = await fetch(links.voice);
    expect(voice.status).toBe(404);
    expect(((await voice.json()) as { error: { code: string } }).error.code).toBe('audio_not_found');
    expect((await fetch(api(`/runs/${runId}/audio/music`))).status).toBe(200);
  }, 120_000);

  it('previews any photo as an sRGB JPEG at most 1280 px long, HEIC included, cached by ETag', async () => {
    const sharp = await loadSharp();
    const { api } = await createProjectOverHttp(server.current.url);
    const large = await upload(api, await makePhoto('png', { width: 2400, height: 1600, seed: 3 }), 'image/png');
    const heic = await upload(api, heicFixture(), 'image/heic');
    for (const media of [large, heic]) {
      const response = await fetch(api(`/media/${media.mediaId}/preview.jpg`));
      expect(response.status, media.contentType).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('cache-control')).toContain('immutable');
      const bytes = Buffer.from(await response.arrayBuffer());
      const info = await sharp(bytes).metadata();
      expect(info.format).toBe('jpeg');
      expect(Math.max(info.width, info.height)).toBe(Math.min(1280, Math.max(media.width, media.height)));
      expect(info.width > info.height).toBe(media.width > media.height);
      expect(info.space).toBe('srgb');
      const etag = response.headers.get('etag')!;
      const again = await fetch(api(`/media/${media.mediaId}/preview.jpg`), { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    }
    expect((await fetch(api('/media/unknown-photo/preview.jpg'))).status).toBe(404);
  }, 120_000);
});
