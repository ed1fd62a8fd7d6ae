import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysePhoto } from '../../../src/media/analyse.js';
import { planStoryboard } from '../../../src/pipeline/agents/director/storyboard-plan.js';
import { frameSize, type Aspect, type Storyboard } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, texturedPhoto, type TestShot } from '../../helpers/render.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;

/** A textured grey photo with a saturated red disc (the subject) centred at (cx, cy), as shares of its size. */
async function subjectPhoto(width: number, height: number, cx: number, cy: number): Promise<Uint8Array> {
  const grey = await sharp(await texturedPhoto(width, height, 7))
    .greyscale()
    .raw()
    .toBuffer();
  const texture = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) texture.fill(grey[i]!, i * 3, i * 3 + 3);
  const radius = Math.min(width, height) * 0.07;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((x - cx * width) ** 2 + (y - cy * height) ** 2 < radius * radius)
        texture.set([230, 30, 30], (y * width + x) * 3);
    }
  }
  return new Uint8Array(
    await sharp(texture, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
}

/** Pixels of each decoded frame that are the subject's red. */
async function redPixelsPerFrame(file: string, width: number, height: number): Promise<number[]> {
  const raw = await ffmpegOutput(ffmpeg, ['-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const size = width * height * 3;
  const counts: number[] = [];
  for (let offset = 0; offset + size <= raw.length; offset += size) {
    let red = 0;
    for (let i = offset; i < offset + size; i += 3) if (raw[i]! > 150 && raw[i + 1]! < 90 && raw[i + 2]! < 90) red++;
    counts.push(red);
  }
  return counts;
}

async function plan(
  photo: TestShot['photo'],
  aspect: Aspect,
  motions: Storyboard['shots'][number]['motion'][],
): Promise<Storyboard> {
  const facts = new Map([
    [
      photo.media.mediaId as string,
      { mediaId: photo.media.mediaId, ...(await analysePhoto(photo.media, photo.bytes)) },
    ],
  ]);
  // Taken on different days, so curation does not take the copies for duplicates.
  const media = motions.map((_, i) => ({
    ...photo.media,
    mediaId: `${photo.media.mediaId}${i}` as typeof photo.media.mediaId,
    takenAt: `2024-07-1${i}T10:00:00`,
  }));
  for (const item of media) facts.set(item.mediaId, facts.get(photo.media.mediaId)!);
  return planStoryboard(
    {
      runId: 'r_framing',
      media,
      request: { aspect, resolution: '360p', durationSec: motions.length * 1.5, title: false, narration: false },
      style: { mood: 'calm', musicStyle: 'acoustic', source: 'default', reason: 'test' },
      facts,
    },
    { motions },
  );
}

describe('aspect ratios and framing', () => {
  it.each([
    ['16:9', 640, 360],
    ['9:16', 360, 640],
    ['1:1', 360, 360],
    ['4:5', 360, 450],
  ] as const)('%s at 360p is %i×%i', (aspect, width, height) => {
    expect(frameSize('360p', aspect)).toEqual({ width, height });
  });
  it('720p and 1080p name the short side', () => {
    expect(frameSize('720p', '4:5')).toEqual({ width: 720, height: 900 });
    expect(frameSize('1080p', '9:16')).toEqual({ width: 1080, height: 1920 });
  });

  let edgePortrait: TestShot['photo'];
  beforeAll(async () => {
    // A portrait photo whose subject sits near its left edge: a centred 9:16 crop would cut it away.
    edgePortrait = { media: mediaFor('m_edge', 1200, 1600), bytes: await subjectPhoto(1200, 1600, 0.09, 0.45) };
  });

  it('a subject near the edge of a photo is in every frame of a 9:16 render, whatever the motion', async () => {
    const storyboard = await plan(edgePortrait, '9:16', ['pan-right', 'pan-left', 'zoom-in', 'zoom-out']);
    expect(storyboard).toMatchObject({ aspect: '9:16', width: 360, height: 640 });
    expect(storyboard.shots.every((shot) => shot.framing === 'crop' && shot.focus !== null)).toBe(true);
    expect(storyboard.shots[0]!.focus!.x).toBeLessThan(0.15);
    const shots = storyboard.shots.map((shot) => ({
      photo: { media: { ...edgePortrait.media, mediaId: shot.mediaId! }, bytes: edgePortrait.bytes },
    }));
    const video = await renderStoryboard(storyboard, shots, ffmpeg);
    try {
      const info = spawnSync(ffmpeg, ['-hide_banner', '-i', video.file], { encoding: 'utf8' }).stderr;
      expect(info).toMatch(/, 360x640/);
      const counts = await redPixelsPerFrame(video.file, 360, 640);
      // The disc covers ~1300 px at this size; the last second fades to black and is not counted.
      const shown = counts.slice(0, counts.length - 30);
      expect(Math.min(...shown), `red pixels per frame: ${shown.join(',')}`).toBeGreaterThan(400);
    } finally {
      video.cleanup();
    }
  }, 120_000);

  it('a landscape photo in a vertical video is shown whole over a blurred fill, and the choice is recorded', async () => {
    const landscape = { media: mediaFor('m_land', 1600, 1200), bytes: await subjectPhoto(1600, 1200, 0.06, 0.5) };
    const storyboard = await plan(landscape, '9:16', ['zoom-in']);
    expect(storyboard.shots[0]!.framing).toBe('fill');
    const video = await renderStoryboard(
      storyboard,
      [{ photo: { media: { ...landscape.media, mediaId: storyboard.shots[0]!.mediaId! }, bytes: landscape.bytes } }],
      ffmpeg,
    );
    try {
      const counts = await redPixelsPerFrame(video.file, 360, 640);
      expect(Math.min(...counts.slice(0, counts.length - 30))).toBeGreaterThan(100);
    } finally {
      video.cleanup();
    }
  }, 60_000);

  it("a blurred fill keeps the photo's colours: the photo in the middle, a darker copy above it", async () => {
    const { prepareCanvas } = await import('../../../src/render/picture/prepare.js');
    const pixels = Buffer.alloc(160 * 120 * 3);
    for (let i = 0; i < pixels.length; i += 3) pixels.set([200, 40, 40], i);
    const bytes = new Uint8Array(
      await sharp(pixels, { raw: { width: 160, height: 120, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const { planes } = await prepareCanvas(
      mediaFor('m_red', 160, 120),
      bytes,
      { framing: 'fill', focus: null },
      { width: 360, height: 640 },
    );
    const { width: w, height: h } = planes;
    // BT.709 limited range of sRGB (200,40,40): Y 80, Cr 198.
    expect(planes.y[(h >> 1) * w + (w >> 1)]).toBeCloseTo(80, -1);
    expect(planes.v[(h >> 2) * (w >> 1) + (w >> 2)]).toBeGreaterThan(180);
    expect(planes.y[10 * w + 10]).toBeLessThan(70);
    expect(planes.v[5 * (w >> 1) + 5]).toBeGreaterThan(140);
  });

  it('crops where little is lost: a 4:3 photo in 1:1 and 4:5 is cropped, a 3:4 portrait in 16:9 is filled', async () => {
    const { chooseFraming } = await import('../../../src/pipeline/agents/director/framing.js');
    expect(chooseFraming({ width: 4000, height: 3000 }, frameSize('720p', '1:1'))).toBe('crop');
    expect(chooseFraming({ width: 4000, height: 3000 }, frameSize('720p', '4:5'))).toBe('crop');
    expect(chooseFraming({ width: 3000, height: 4000 }, frameSize('720p', '16:9'))).toBe('fill');
    expect(chooseFraming({ width: 3000, height: 4000 }, frameSize('720p', '9:16'))).toBe('crop');
  });
});
