import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { planStoryboard } from '../../../src/pipeline/agents/director/storyboard-plan.js';
import type { Storyboard } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, photoFacts, renderStoryboard, type TestShot } from '../../helpers/render.js';
import { realPhoto, type RealPhoto } from '../../helpers/real-photos.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;
const [WIDTH, HEIGHT] = [360, 640];
const LANDSCAPES: RealPhoto[] = ['coffee', 'chelsea', 'rocket', 'dusk-sky'];

/** A 9:16 storyboard the director plans for the photos, each taken on its own day (no duplicates). */
async function planVertical(photos: TestShot['photo'][], motions?: Storyboard['shots'][number]['motion'][]) {
  const media = photos.map((photo, i) => ({ ...photo.media, takenAt: `2024-07-1${i}T10:00:00` }));
  const facts = await photoFacts(photos);
  return planStoryboard(
    {
      runId: 'r_fill',
      media,
      request: { aspect: '9:16', resolution: '360p', durationSec: photos.length * 2, title: false, narration: false },
      style: { mood: 'calm', musicStyle: 'acoustic', source: 'default', reason: 'test' },
      facts,
    },
    motions ? { motions } : {},
  );
}

async function decodedFrames(storyboard: Storyboard, photos: TestShot['photo'][]): Promise<Buffer[]> {
  const video = await renderStoryboard(
    storyboard,
    photos.map((photo) => ({ photo })),
    ffmpeg,
  );
  try {
    const raw = await ffmpegOutput(ffmpeg, ['-i', video.file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
    const size = WIDTH * HEIGHT * 3;
    const frames: Buffer[] = [];
    for (let offset = 0; offset + size <= raw.length; offset += size) frames.push(raw.subarray(offset, offset + size));
    // The last second fades to black.
    return frames.slice(0, frames.length - 30);
  } finally {
    video.cleanup();
  }
}

/**
 * Share of a decoded frame's rows that show the sharp picture: a row with
 * detail (≥ 1% of its pixels step by ≥ 6 levels to the next). The blurred,
 * darkened fill has none; every row of these photos has some.
 */
function sharpRowShare(frame: Buffer): number {
  let rows = 0;
  for (let y = 0; y < HEIGHT; y++) {
    let steps = 0;
    for (let x = 0; x < WIDTH - 1; x++) {
      const i = (y * WIDTH + x) * 3 + 1;
      if (Math.abs(frame[i + 3]! - frame[i]!) >= 6) steps++;
    }
    if (steps >= WIDTH * 0.01) rows++;
  }
  return rows / HEIGHT;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

describe('photos fill the frame', () => {
  it('in 9:16, landscape photos are cropped around their subject and cover the frame (a blurred fill a third)', async () => {
    const photos = await Promise.all(
      LANDSCAPES.map(async (name) => {
        const bytes = realPhoto(name);
        const { width, height } = await sharp(bytes).metadata();
        return { media: mediaFor(`m_${name.replace('-', '_')}`, width, height), bytes };
      }),
    );
    const storyboard = await planVertical(photos);
    expect(storyboard.shots.map((shot) => [shot.framing, shot.framingReason])).toEqual(
      LANDSCAPES.map(() => ['crop', 'subject_fits']),
    );
    const cropped = mean((await decodedFrames(storyboard, photos)).map(sharpRowShare));
    // The same shots shown whole over the blurred fill: the measure tells the two apart.
    const filled = {
      ...storyboard,
      shots: storyboard.shots.map((shot) => ({ ...shot, framing: 'fill' as const })),
    };
    const whole = mean((await decodedFrames(filled, photos)).map(sharpRowShare));
    expect(cropped, `sharp picture: cropped ${cropped}, filled ${whole}`).toBeGreaterThanOrEqual(0.7);
    expect(whole).toBeLessThan(0.5);
  }, 180_000);
});
