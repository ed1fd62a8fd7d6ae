import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Aspect, Resolution, Shot } from '../../../src/schemas/run.js';
import {
  FFMPEG_BUILDS,
  mediaFor,
  renderStoryboard,
  storyboardFor,
  texturedPhoto,
  type TestShot,
} from '../../helpers/render.js';
import { ffmpegOutput, frameShifts, judder, lumaFrames } from '../../helpers/video-measure.js';

const MOTIONS: Shot['motion'][] = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right', 'pan-up', 'pan-down'];
/** What a viewer sees as smooth; whole-pixel steps (zoompan) measure 0.9 to 2.1. */
const MAX_JUDDER = 0.1;

let photo: TestShot['photo'];
beforeAll(async () => {
  photo = { media: mediaFor('m_texture', 3000, 2000), bytes: await texturedPhoto(3000, 2000) };
});

async function measure(
  motion: Shot['motion'],
  resolution: Resolution,
  ffmpeg: string,
  options: { aspect?: Aspect; shotSec?: number } = {},
): Promise<{ judder: number; travel: number }> {
  const shots = [{ photo, motion }];
  const shotSec = options.shotSec ?? 2;
  const storyboard = storyboardFor(shots, { resolution, shotSec, aspect: options.aspect ?? '16:9' });
  const video = await renderStoryboard(storyboard, shots, ffmpeg);
  try {
    const size = 256;
    // The last half second fades to black; the motion is measured before it.
    const frames = (await lumaFrames(ffmpeg, video.file, size)).slice(0, Math.round((shotSec - 0.5) * 30) - 1);
    const shifts = frameShifts(frames, size);
    return { judder: judder(shifts), travel: shifts.reduce((sum, s) => sum + Math.hypot(s.dx, s.dy), 0) };
  } finally {
    video.cleanup();
  }
}

// Every resolution once: the frames are drawn here, ffmpeg only encodes them, so Debian's build takes 360p and 1080p
// and the bundled build the deploy uses takes 720p. A chosen build (FFMPEG_PATH) takes all three.
const builds: Array<[string, string, Resolution[]]> = process.env.FFMPEG_PATH
  ? [['chosen', process.env.FFMPEG_PATH, ['360p', '720p', '1080p']]]
  : [
      ['debian', FFMPEG_BUILDS.debian, ['360p', '1080p']],
      ['bundled', FFMPEG_BUILDS.bundled, ['720p']],
    ];

describe.each(builds)('Ken Burns motion is smooth (ffmpeg: %s)', (_name, ffmpeg, resolutions) => {
  it.each(resolutions)(
    'every motion at %s measures ≤ 0.1 px/frame² and moves',
    async (resolution) => {
      const results: Record<string, { judder: number; travel: number }> = {};
      for (const motion of MOTIONS) results[motion] = await measure(motion, resolution, ffmpeg);
      for (const [motion, result] of Object.entries(results)) {
        expect(result.judder, `${motion} judder`).toBeLessThanOrEqual(MAX_JUDDER);
        // Pans must actually travel (a still picture would pass the judder check).
        if (motion.startsWith('pan'))
          expect(result.travel, `${motion} travel`).toBeGreaterThan(resolution === '360p' ? 4 : 8);
      }
    },
    300_000,
  );
});

describe('a crop reaching past the frame', () => {
  it("in 9:16 a landscape photo is panned across further than the frame's shape allows, as smoothly", async () => {
    const ffmpeg = FFMPEG_BUILDS.debian;
    for (const motion of ['pan-left', 'pan-right', 'zoom-in', 'zoom-out'] as const) {
      const result = await measure(motion, '360p', ffmpeg, { aspect: '9:16', shotSec: 3 });
      expect(result.judder, `${motion} judder`).toBeLessThanOrEqual(MAX_JUDDER);
      // A canvas in the frame's shape leaves a pan 48 px of 450 (34 in the meter's 256 px columns).
      console.log('TRAVEL', motion, result);
      if (motion.startsWith('pan')) expect(result.travel, `${motion} travel`).toBeGreaterThan(70);
    }
  }, 300_000);
});

describe('the judder meter', () => {
  it('sees whole-pixel steps: a zoompan pan over the same photo measures several times the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sirtrav-zoompan-'));
    try {
      writeFileSync(join(dir, 'photo.jpg'), photo.bytes);
      const ffmpeg = FFMPEG_BUILDS.debian;
      await ffmpegOutput(ffmpeg, [
        '-i',
        join(dir, 'photo.jpg'),
        '-vf',
        "scale=800:450,zoompan=z=1.12:x='(iw-iw/zoom)*on/60':y='ih/2-ih/zoom/2':d=60:s=640x360:fps=30",
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-bf',
        '0',
        '-y',
        join(dir, 'zoompan.mp4'),
      ]);
      const frames = await lumaFrames(ffmpeg, join(dir, 'zoompan.mp4'), 256);
      expect(judder(frameShifts(frames, 256))).toBeGreaterThan(3 * MAX_JUDDER);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
