import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/media/find-ffmpeg.js';
import type { RunState } from '../../src/schemas/run.js';
import { getBinary, getVideo, keys, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, runToEnd, uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useLocalServer } from '../helpers/server.js';
import { lumaFrames } from '../helpers/video-measure.js';

const server = useLocalServer();

const run = async (api: (path: string) => string, body: object): Promise<RunState> => (await runToEnd(api, body)).state;

/** Decoded frames in a run's video. */
async function frameCount(runId: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sirtrav-preview-'));
  try {
    const file = join(dir, 'video.mp4');
    writeFileSync(file, (await getVideo(runId as Id))!.data);
    return (await lumaFrames((await findFfmpeg())!.path, file, 16)).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('preview, then make it', () => {
  it('a preview is a 360p 15 fps draft of a storyboard that storyboardFrom then renders unchanged in full, with the same music', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 4, 700);
    const draft = await run(api, {
      durationSec: 8,
      resolution: '720p',
      preview: true,
      title: 'Lisbon',
      captions: true,
    });
    expect(draft.storyboard).toMatchObject({ resolution: '720p', width: 640, height: 360, fps: 15 });
    expect(draft.outputs?.video).toMatchObject({ width: 640, height: 360 });
    expect(await frameCount(draft.runId)).toBe(8 * 15);

    const full = await run(api, { storyboardFrom: draft.runId });
    expect(full.storyboard).toMatchObject({ resolution: '720p', width: 1280, height: 720 });
    expect(full.storyboard?.fps).toBeUndefined();
    // The same storyboard: every shot, the title, the narration and the soundtrack's grid and seed.
    const same = ({
      shots,
      title,
      narration,
      music,
      musicSeed,
      mood,
      musicStyle,
      durationSec,
      transition,
    }: NonNullable<RunState['storyboard']>) => ({
      shots,
      title,
      narration,
      music,
      musicSeed,
      mood,
      musicStyle,
      durationSec,
      transition,
    });
    expect(same(full.storyboard!)).toEqual(same(draft.storyboard!));
    expect(full.outputs?.video).toMatchObject({ width: 1280, height: 720 });
    expect(await frameCount(full.runId)).toBe(8 * 30);
    const facts = await inspectMp4((await getVideo(full.runId))!.data);
    expect(facts.decodeErrors).toBe('');
    const music = async (state: RunState) => (await getBinary(keys.music(state.projectId, state.runId, 'wav')))!.data;
    expect(Buffer.from(await music(full)).equals(Buffer.from(await music(draft)))).toBe(true);
  }, 180_000);

  it('refuses a storyboard that is not in this project with 422, and starts nothing', async () => {
    const one = await createProjectOverHttp(server.current.url);
    const other = await createProjectOverHttp(server.current.url);
    await uploadPhotos(one.api, 1, 720);
    await uploadPhotos(other.api, 1, 721);
    const theirs = await run(other.api, { durationSec: 4, resolution: '360p', preview: true });
    for (const storyboardFrom of [theirs.runId, 'r_doesnotexist000000000']) {
      const response = await fetch(one.api('/runs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ storyboardFrom }),
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error: { code: 'storyboard_not_found' } });
    }
    const listed = (await (await fetch(one.api('/runs'))).json()) as { runs: unknown[] };
    expect(listed.runs).toEqual([]);
  }, 120_000);
});
