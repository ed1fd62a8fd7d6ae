import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { planStoryboard } from '../../../src/pipeline/agents/director/storyboard-plan.js';
import { frameSize, type Aspect, type Storyboard } from '../../../src/schemas/run.js';
import {
  FFMPEG_BUILDS,
  mediaFor,
  photoFacts,
  renderStoryboard,
  texturedPhoto,
  type TestShot,
} from '../../helpers/render.js';
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

/** The bounding box of the subject's red in each decoded frame. */
async function redBoxesPerFrame(file: string, width: number, height: number) {
  const raw = await ffmpegOutput(ffmpeg, ['-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const size = width * height * 3;
  const boxes: Array<{ left: number; right: number; width: number; height: number }> = [];
  for (let offset = 0; offset + size <= raw.length; offset += size) {
    let [left, right, top, bottom] = [width, -1, height, -1];
    for (let p = 0; p < width * height; p++) {
      const i = offset + p * 3;
      if (raw[i]! <= 150 || raw[i + 1]! >= 90 || raw[i + 2]! >= 90) continue;
      const [x, y] = [p % width, Math.floor(p / width)];
      [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
    }
    boxes.push({ left, right, width: right - left + 1, height: bottom - top + 1 });
  }
  return boxes;
}

async function plan(
  photo: TestShot['photo'],
  aspect: Aspect,
  motions: Storyboard['shots'][number]['motion'][],
): Promise<Storyboard> {
  const facts = await photoFacts([photo]);
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

  it('a landscape photo in a vertical video fills the frame: its subject whole, as large as a crop shows it', async () => {
    const landscape = { media: mediaFor('m_land', 1600, 1200), bytes: await subjectPhoto(1600, 1200, 0.06, 0.5) };
    const storyboard = await plan(landscape, '9:16', ['zoom-in', 'pan-right', 'zoom-out', 'pan-left']);
    expect(storyboard.shots.every((shot) => shot.framing === 'crop' && shot.framingReason === 'subject_fits')).toBe(
      true,
    );
    const video = await renderStoryboard(
      storyboard,
      storyboard.shots.map((shot) => ({
        photo: { media: { ...landscape.media, mediaId: shot.mediaId! }, bytes: landscape.bytes },
      })),
      ffmpeg,
    );
    try {
      const boxes = (await redBoxesPerFrame(video.file, 360, 640)).slice(0, -30);
      // The disc's diameter in a crop to the frame's height (the photo's height is the frame's): 0.14 of 640 px.
      const cropDiameter = 0.14 * 640;
      for (const box of boxes) {
        // Whole: clear of the frame's edges, and as wide as it is tall.
        expect(box.left).toBeGreaterThan(0);
        expect(box.right).toBeLessThan(359);
        expect(Math.abs(box.width - box.height)).toBeLessThan(box.height * 0.15);
        expect(box.height).toBeGreaterThanOrEqual(cropDiameter / 2);
      }
    } finally {
      video.cleanup();
    }
  }, 120_000);

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
      { framing: 'fill', focus: null, motion: 'zoom-in' },
      { width: 360, height: 640 },
    );
    const { width: w, height: h } = planes;
    // BT.709 limited range of sRGB (200,40,40): Y 80, Cr 198.
    expect(planes.y[(h >> 1) * w + (w >> 1)]).toBeCloseTo(80, -1);
    expect(planes.v[(h >> 2) * (w >> 1) + (w >> 2)]).toBeGreaterThan(180);
    expect(planes.y[10 * w + 10]).toBeLessThan(70);
    expect(planes.v[5 * (w >> 1) + 5]).toBeGreaterThan(140);
  });

  it('crops around a subject that fits the frame, in every aspect; fills only for a subject larger than any crop', async () => {
    const { chooseFraming } = await import('../../../src/render/picture/framing.js');
    const landscape = { width: 4000, height: 3000 };
    const subject = { x: 0.1, y: 0.35, width: 0.225, height: 0.3 };
    for (const aspect of ['16:9', '9:16', '1:1', '4:5'] as const)
      expect(chooseFraming(landscape, frameSize('720p', aspect), subject)).toEqual({
        framing: 'crop',
        framingReason: 'subject_fits',
      });
    // A group across most of the photo: no 9:16 crop keeps it whole, a 16:9 one does.
    const wide = { x: 0.1, y: 0.3, width: 0.8, height: 0.4 };
    expect(chooseFraming(landscape, frameSize('720p', '9:16'), wide)).toEqual({
      framing: 'fill',
      framingReason: 'subject_too_large',
    });
    expect(chooseFraming(landscape, frameSize('720p', '16:9'), wide).framing).toBe('crop');
  });

  it('without a known subject, crops where little is lost: a 3:4 portrait in 16:9 is filled', async () => {
    const { chooseFraming } = await import('../../../src/render/picture/framing.js');
    const framing = (photo: { width: number; height: number }, aspect: Aspect) =>
      chooseFraming(photo, frameSize('720p', aspect), null);
    expect(framing({ width: 4000, height: 3000 }, '1:1')).toEqual({ framing: 'crop', framingReason: 'most_kept' });
    expect(framing({ width: 4000, height: 3000 }, '4:5').framing).toBe('crop');
    expect(framing({ width: 3000, height: 4000 }, '16:9')).toEqual({ framing: 'fill', framingReason: 'too_much_lost' });
    expect(framing({ width: 3000, height: 4000 }, '9:16').framing).toBe('crop');
  });
});
