import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../src/media/find-ffmpeg.js';
import { fpsOf, frameSpans, totalFramesOf } from '../../../src/render/graph.js';
import { splitPicture } from '../../../src/render/video/reuse.js';
import { pictureStretches, stretchBoundaries } from '../../../src/render/video/stretches.js';
import { x264Args } from '../../../src/render/video/workspace.js';
import { mediaFor, renderStoryboard, storyboardFor, texturedPhoto, type TestShot } from '../../helpers/render.js';

let ffmpeg: string;
let shots: TestShot[];
const scratch = mkdtempSync(join(tmpdir(), 'sirtrav-stretches-'));

beforeAll(async () => {
  ffmpeg = (await findFfmpeg())!.path;
  shots = await Promise.all(
    [1, 2, 3, 4].map(async (seed) => ({
      photo: { media: mediaFor(`m_s${seed}`, 640, 480), bytes: await texturedPhoto(640, 480, seed) },
    })),
  );
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('stretches', () => {
  it('a render has a keyframe where every transition starts and ends, and splits there by stream copy', async () => {
    const storyboard = storyboardFor(shots, { shotSec: 2, transitionSec: 0.5 });
    const spans = frameSpans(storyboard.shots, fpsOf(storyboard));
    expect(stretchBoundaries(storyboard)).toEqual([45, 60, 90, 105, 135, 150]);
    expect(spans[1]).toEqual({ start: 45, end: 105 });
    const { file, cleanup } = await renderStoryboard(storyboard, shots, ffmpeg);
    try {
      const stretches = pictureStretches(storyboard, x264Args(storyboard));
      expect(stretches.at(-1)!.to).toBe(totalFramesOf(storyboard));
      const pieces = await splitPicture({ ffmpeg, file, ranges: stretches, fps: 30, dir: scratch });
      expect(pieces).toHaveLength(stretches.length);
    } finally {
      cleanup();
    }
  }, 120_000);

  it('keys a stretch by what draws it: the same picture elsewhere keys the same, a changed photo does not', () => {
    const storyboard = storyboardFor(shots, { shotSec: 2, transitionSec: 0.5 });
    const keys = pictureStretches(storyboard, x264Args(storyboard)).map((stretch) => stretch.key);
    const replaced = storyboardFor(
      shots.map((shot, i) => (i === 2 ? shots[0]! : shot)),
      { shotSec: 2, transitionSec: 0.5 },
    );
    const changed = pictureStretches(replaced, x264Args(replaced)).map((stretch) => stretch.key);
    // Shot 2 shows in stretches 3 (1→2), 4 (2 alone) and 5 (2→3).
    expect(changed.map((key, i) => key === keys[i])).toEqual([true, true, true, false, false, false, true]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
