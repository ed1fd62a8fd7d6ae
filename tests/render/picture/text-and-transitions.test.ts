import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { drawableText, safeArea, titleOverlay } from '../../../src/render/picture/text.js';
import { TRANSITIONS, type Transition } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor, texturedPhoto } from '../../helpers/render.js';
import { browserRgbFrame } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;

async function flat(rgb: [number, number, number], id: string) {
  const pixels = Buffer.alloc(480 * 270 * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return {
    media: mediaFor(id, 480, 270),
    bytes: new Uint8Array(
      await sharp(pixels, { raw: { width: 480, height: 270, channels: 3 } })
        .png()
        .toBuffer(),
    ),
  };
}

/** Columns of the overlay holding white text (bright and opaque). */
function textColumns(overlay: NonNullable<Awaited<ReturnType<typeof titleOverlay>>>): {
  first: number;
  last: number;
  count: number;
} {
  let first = Infinity;
  let last = -1;
  let count = 0;
  for (let i = 0; i < overlay.y.length; i++) {
    if (overlay.y[i]! > 200 && overlay.alpha[i]! > 200) {
      const x = i % overlay.width;
      first = Math.min(first, x);
      last = Math.max(last, x);
      count++;
    }
  }
  return { first, last, count };
}

describe('title and captions', () => {
  it('draws accented and Japanese text with the bundled font, leaving out only glyphs it lacks (no tofu)', () => {
    expect(drawableText('Café Zürich · España 東京')).toBe('Café Zürich · España 東京');
    // A symbol no font here has is dropped rather than drawn as an empty box.
    expect(drawableText('Tokyo \u{1FAE8} trip')).toBe('Tokyo trip');
  });

  it.each(['16:9', '9:16', '1:1', '4:5'] as const)(
    'a very long title stays inside the %s safe area',
    async (aspect) => {
      const frame = {
        ...(aspect === '16:9'
          ? { width: 640, height: 360 }
          : aspect === '9:16'
            ? { width: 360, height: 640 }
            : aspect === '1:1'
              ? { width: 360, height: 360 }
              : { width: 360, height: 450 }),
        aspect,
      };
      const overlay = (await titleOverlay(
        { text: 'Un été à Zürich, España y 東京: '.repeat(6), subtitle: '14–18 Jul 2024 · Lisbon' },
        frame,
      ))!;
      const safe = safeArea(aspect);
      const columns = textColumns(overlay);
      expect(columns.count).toBeGreaterThan(500);
      expect(columns.first).toBeGreaterThanOrEqual(Math.floor(frame.width * safe.left) - 2);
      expect(columns.last).toBeLessThanOrEqual(Math.ceil(frame.width * (1 - safe.right)) + 2);
      expect(overlay.top).toBeGreaterThanOrEqual(Math.floor(frame.height * safe.top) - 4);
      expect(overlay.top + overlay.height).toBeLessThanOrEqual(Math.ceil(frame.height * (1 - safe.bottom)) + 4);
    },
  );

  it('the title is in the rendered pixels: bright text over a dark scrim where a render without it has the photo', async () => {
    const photo = { media: mediaFor('m_title', 1600, 900), bytes: await texturedPhoto(1600, 900, 3) };
    const shots = [{ photo, motion: 'zoom-in' as const }];
    const plain = await renderStoryboard(storyboardFor(shots, { shotSec: 2.5 }), shots, ffmpeg);
    const titled = await renderStoryboard(
      storyboardFor(shots, { shotSec: 2.5, title: { text: 'Été à 東京', subtitle: '14 Jul 2024' } }),
      shots,
      ffmpeg,
    );
    try {
      const a = await browserRgbFrame(ffmpeg, plain.file, 1.2, 640, 360);
      const b = await browserRgbFrame(ffmpeg, titled.file, 1.2, 640, 360);
      let changed = 0;
      let white = 0;
      for (let i = 0; i < a.length; i += 3) {
        if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 30) changed++;
        if (b[i]! > 235 && b[i + 1]! > 235 && b[i + 2]! > 235 && a[i]! < 200) white++;
      }
      expect(changed).toBeGreaterThan(3000);
      expect(white).toBeGreaterThan(800);
    } finally {
      plain.cleanup();
      titled.cleanup();
    }
  }, 60_000);
});

describe.each(Object.entries(FFMPEG_BUILDS))('transitions (ffmpeg: %s)', (_name, build) => {
  /** Left and right quarters' mean red and blue at the transition's midpoint, red photo → blue photo. */
  async function midTransition(transition: Transition) {
    const shots = [
      { photo: await flat([220, 20, 20], 'm_red'), motion: 'zoom-in' as const },
      { photo: await flat([20, 20, 220], 'm_blue'), motion: 'zoom-in' as const },
    ];
    const video = await renderStoryboard(
      storyboardFor(shots, { shotSec: 1.6, transitionSec: 0.6, transition }),
      shots,
      build,
    );
    try {
      const rgb = await browserRgbFrame(build, video.file, 1.3, 640, 360);
      const side = (from: number) => {
        let r = 0;
        let b = 0;
        for (let y = 100; y < 260; y++)
          for (let x = from; x < from + 100; x++)
            [r, b] = [r + rgb[(y * 640 + x) * 3]!, b + rgb[(y * 640 + x) * 3 + 2]!];
        return { r: r / 16000, b: b / 16000 };
      };
      return { left: side(20), right: side(520) };
    } finally {
      video.cleanup();
    }
  }

  it('each transition looks like itself halfway through', async () => {
    const seen: Record<string, Awaited<ReturnType<typeof midTransition>>> = {};
    for (const kind of TRANSITIONS) seen[kind] = await midTransition(kind);
    // Dissolves mix both photos everywhere.
    for (const kind of ['crossfade', 'zoom']) {
      expect(seen[kind]!.left.r).toBeGreaterThan(60);
      expect(seen[kind]!.left.b).toBeGreaterThan(60);
    }
    // A push: the red photo leaves to the left, the blue one comes in from the right.
    expect(seen.slide!.left.r).toBeGreaterThan(180);
    expect(seen.slide!.right.b).toBeGreaterThan(180);
    // A wipe from the left: blue already on the left, red still on the right.
    expect(seen.wipe!.left.b).toBeGreaterThan(180);
    expect(seen.wipe!.right.r).toBeGreaterThan(180);
  }, 120_000);
});
