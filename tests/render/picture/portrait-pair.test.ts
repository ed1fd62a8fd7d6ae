import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { planStoryboard } from '../../../src/pipeline/agents/director/storyboard-plan.js';
import { fpsOf, frameSpans } from '../../../src/render/graph.js';
import type { Aspect, Storyboard } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, photoFacts, renderStoryboard, type TestShot } from '../../helpers/render.js';
import { realPhoto, type RealPhoto } from '../../helpers/real-photos.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;
const [WIDTH, HEIGHT] = [640, 360];

/** A real photograph cut to portrait (2:3), as a phone held upright takes it. */
async function portrait(name: RealPhoto, id: string): Promise<TestShot['photo']> {
  const source = realPhoto(name);
  const { width, height } = await sharp(source).metadata();
  const cut = Math.round((height * 2) / 3);
  const bytes = new Uint8Array(
    await sharp(source)
      .extract({ left: Math.round((width - cut) / 2), top: 0, width: cut, height })
      .jpeg({ quality: 92 })
      .toBuffer(),
  );
  return { media: mediaFor(id, cut, height), bytes };
}

/** Four portraits: two a few minutes apart (one moment), then one in the afternoon and one at dusk. */
const TAKEN = ['2024-07-10T10:00:00', '2024-07-10T10:04:00', '2024-07-10T14:00:00', '2024-07-10T19:30:00'];

async function plan(photos: TestShot['photo'][], aspect: Aspect): Promise<Storyboard> {
  const facts = await photoFacts(photos);
  return planStoryboard({
    runId: 'r_pair',
    media: photos.map((photo, i) => ({ ...photo.media, takenAt: TAKEN[i]! })),
    request: { aspect, resolution: '360p', durationSec: 12, title: false, narration: false },
    style: { mood: 'calm', musicStyle: 'acoustic', source: 'default', reason: 'test' },
    facts,
  });
}

/** The decoded RGB frame in the middle of shot `index`. */
async function middleFrame(storyboard: Storyboard, photos: TestShot['photo'][], index: number): Promise<Buffer> {
  const span = frameSpans(storyboard.shots, fpsOf(storyboard))[index]!;
  const video = await renderStoryboard(
    storyboard,
    photos.map((photo) => ({ photo })),
    ffmpeg,
  );
  try {
    const at = ((span.start + span.end) / 2 / fpsOf(storyboard)).toFixed(3);
    return await ffmpegOutput(ffmpeg, [
      '-ss',
      at,
      '-i',
      video.file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ]);
  } finally {
    video.cleanup();
  }
}

/** Share of columns in [from, to) with detail: ≥ 2% of their pixels step by ≥ 6 levels to the next row. */
function sharpColumnShare(frame: Buffer, from: number, to: number): number {
  let columns = 0;
  for (let x = from; x < to; x++) {
    let steps = 0;
    for (let y = 0; y < HEIGHT - 1; y++) {
      const i = (y * WIDTH + x) * 3 + 1;
      if (Math.abs(frame[i + WIDTH * 3]! - frame[i]!) >= 6) steps++;
    }
    if (steps >= HEIGHT * 0.02) columns++;
  }
  return columns / (to - from);
}

/** Mean luma of columns [from, to). */
function meanLuma(frame: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let y = 0; y < HEIGHT; y++)
    for (let x = from; x < to; x++) {
      const i = (y * WIDTH + x) * 3;
      sum += 0.2126 * frame[i]! + 0.7152 * frame[i + 1]! + 0.0722 * frame[i + 2]!;
    }
  return sum / (HEIGHT * (to - from));
}

describe('two portrait photos of one moment share a landscape frame', () => {
  it('pairs them side by side in 16:9, each sharp across its half, and keeps them apart in 9:16 or hours apart', async () => {
    const photos = await Promise.all([
      portrait('astronaut', 'm_astronaut'),
      portrait('chelsea', 'm_chelsea'),
      portrait('coffee', 'm_coffee'),
      portrait('rocket', 'm_rocket'),
    ]);
    const landscape = await plan(photos, '16:9');
    expect(landscape.shots.map((shot) => [shot.mediaId, shot.pair?.mediaId ?? null, shot.framing])).toEqual([
      ['m_astronaut', 'm_chelsea', 'pair'],
      ['m_coffee', null, expect.any(String)],
      ['m_rocket', null, expect.any(String)],
    ]);
    const [pair, next] = landscape.shots as [Storyboard['shots'][number], Storyboard['shots'][number]];
    expect(pair.framingReason).toBe('portrait_pair');
    // The pair takes both photos' time: it ends where the next shot's transition ends.
    expect(pair.startSec).toBe(0);
    expect(pair.startSec + pair.durationSec).toBeGreaterThan(next.startSec);
    expect(landscape.scenes.reduce((sum, scene) => sum + scene.shotCount, 0)).toBe(3);

    // Upright frames crop each portrait instead; nothing is paired.
    const vertical = await plan(photos, '9:16');
    expect(vertical.shots.every((shot) => shot.framing !== 'pair' && !shot.pair)).toBe(true);
    expect(vertical.shots).toHaveLength(4);

    // On screen: both halves are sharp picture edge to edge, with a dark line between them.
    const frame = await middleFrame(landscape, photos, 0);
    // The dividing line: the darkest band of columns near the middle (the motion moves it a little off centre).
    const bands = Array.from({ length: Math.round(WIDTH * 0.3) }, (_, k) => Math.round(WIDTH * 0.35) + k);
    const line = bands.reduce((best, x) =>
      meanLuma(frame, x - 2, x + 2) < meanLuma(frame, best - 2, best + 2) ? x : best,
    );
    expect(meanLuma(frame, line - 2, line + 2)).toBeLessThan(40);
    const left = sharpColumnShare(frame, 0, line - 6);
    const right = sharpColumnShare(frame, line + 6, WIDTH);
    expect(left, `sharp columns: left ${left}, right ${right}, line at ${line}`).toBeGreaterThanOrEqual(0.9);
    expect(right).toBeGreaterThanOrEqual(0.9);
    // The same photos shown whole over the blurred fill instead leave the frame's sides without detail.
    const filled = {
      ...landscape,
      shots: landscape.shots.map(({ pair: _pair, ...shot }) => ({ ...shot, framing: 'fill' as const })),
    };
    expect(sharpColumnShare(await middleFrame(filled, photos, 0), 0, WIDTH)).toBeLessThan(0.6);
  }, 120_000);
});
