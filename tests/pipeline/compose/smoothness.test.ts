import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resolution, Shot } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor, texturedPhoto, type TestShot } from '../../helpers/render.js';
import { frameShifts, judder, lumaFrames } from '../../helpers/video-measure.js';

const MOTIONS: Shot['motion'][] = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right', 'pan-up', 'pan-down'];
/** What a viewer sees as smooth; whole-pixel steps (zoompan) measure 0.9 to 2.1. */
const MAX_JUDDER = 0.1;

let photo: TestShot['photo'];
beforeAll(async () => {
  photo = { media: mediaFor('m_texture', 3000, 2000), bytes: await texturedPhoto(3000, 2000) };
});

async function measure(motion: Shot['motion'], resolution: Resolution, ffmpeg: string): Promise<{ judder: number; travel: number }> {
  const shots = [{ photo, motion }];
  const video = await renderStoryboard(storyboardFor(shots, { resolution, shotSec: 1.6 }), shots, ffmpeg);
  try {
    const size = resolution === '360p' ? 256 : 512;
    // The last second fades to black; the motion is measured before it.
    const frames = (await lumaFrames(ffmpeg, video.file, size)).slice(0, 36);
    const shifts = frameShifts(frames, size);
    return { judder: judder(shifts), travel: shifts.reduce((sum, s) => sum + Math.hypot(s.dx, s.dy), 0) };
  } finally {
    video.cleanup();
  }
}

const builds = process.env.FFMPEG_PATH ? { chosen: process.env.FFMPEG_PATH } : FFMPEG_BUILDS;

describe.each(Object.entries(builds))('Ken Burns motion is smooth (ffmpeg: %s)', (_name, ffmpeg) => {
  const resolutions: Resolution[] = ['360p', '720p', '1080p'];
  it.each(resolutions)('every motion at %s measures ≤ 0.1 px/frame² and moves', async (resolution) => {
    const results: Record<string, { judder: number; travel: number }> = {};
    for (const motion of MOTIONS) results[motion] = await measure(motion, resolution, ffmpeg);
    for (const [motion, result] of Object.entries(results)) {
      expect(result.judder, `${motion} judder`).toBeLessThanOrEqual(MAX_JUDDER);
      // Pans must actually travel (a still picture would pass the judder check).
      if (motion.startsWith('pan')) expect(result.travel, `${motion} travel`).toBeGreaterThan(resolution === '360p' ? 4 : 8);
    }
  }, 300_000);
});

afterAll(() => undefined);
