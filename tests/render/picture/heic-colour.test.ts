import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import decodeHeic from 'heic-decode';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ClipFrames } from '../../../src/render/picture/clip-frames.js';
import { photoImage, toSrgb } from '../../../src/render/picture/decode.js';
import { heifNclx, primaryItemProperties } from '../../../src/render/picture/heif-colour.js';
import { planesBytes } from '../../../src/render/picture/planes.js';
import { cardFrame, heicCard, type HeicCard } from '../../helpers/heic-cards.js';
import { heifFile, hevcIntra } from '../../helpers/heif.js';
import { heicFixture } from '../../helpers/photos.js';
import {
  chroma,
  deltaE,
  H,
  HDR_BLACK,
  HDR_RED,
  HDR_SCENE,
  HDR_WHITE,
  hueTurn,
  PATCHES,
  patchMeans,
  W,
  type Rgb,
} from '../../helpers/patches.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor } from '../../helpers/render.js';
import { browserRgb, browserRgbFrame, ffmpegOutput } from '../../helpers/video-measure.js';

const ffmpeg = FFMPEG_BUILDS.debian;
const HEIC = { contentType: 'image/heic' } as const;

/** The photo as the renderer, the preview and the analysis read it: photoImage, then toSrgb. */
async function decoded(bytes: Uint8Array): Promise<Uint8Array> {
  return toSrgb(await photoImage(HEIC, bytes))
    .removeAlpha()
    .raw()
    .toBuffer();
}

function expectWithin(measured: Rgb[], expected: Rgb[], tolerance: number): void {
  measured.forEach((patch, p) =>
    patch.forEach((value, c) =>
      expect(
        Math.abs(value - expected[p]![c]!),
        `patch ${p} (${expected[p]}) channel ${c}: ${patch.map(Math.round)}`,
      ).toBeLessThanOrEqual(tolerance),
    ),
  );
}

describe('the HEIF files the tests write', () => {
  it.each<[HeicCard, number]>([
    ['p3-nclx-8bit', 8],
    ['bt2020-nclx-10bit', 10],
    ['p3-icc-10bit', 10],
    ['pq', 10],
  ])('a %s card is read by sharp (libheif) and heic-decode: size, depth, colour', async (card, bits) => {
    const bytes = await heicCard(card);
    const metadata = await sharp(bytes).metadata();
    expect(metadata).toMatchObject({ format: 'heif', compression: 'hevc', width: W, height: H, bitsPerSample: bits });
    expect(Boolean(metadata.icc)).toBe(card === 'p3-icc-10bit');
    const image = await decodeHeic({ buffer: bytes });
    expect([image.width, image.height, image.data.length]).toEqual([W, H, W * H * 4]);
    expect(heifNclx(bytes)?.primaries ?? null).toBe(card === 'p3-icc-10bit' ? null : card === 'p3-nclx-8bit' ? 12 : 9);
  });

  it("reads the primary item's properties of heif-enc's file and of the helper's, in association order", async () => {
    expect(primaryItemProperties(heicFixture()).map((p) => p.type)).toEqual(['hvcC', 'ispe', 'pixi']);
    expect(heifNclx(heicFixture())).toBeNull();
    const pq = await heicCard('pq');
    expect(primaryItemProperties(pq).map((p) => p.type)).toEqual(['hvcC', 'ispe', 'pixi', 'colr']);
    expect(heifNclx(pq)).toEqual({ primaries: 9, transfer: 16, matrix: 9, fullRange: false });
  });
});

describe('SDR HEIC colour: nclx code points, 10 bits, ICC', () => {
  // Without the nclx primaries read, the P3 and BT.2020 cards' red comes out (218, 0, 26) and (249, 0, 27).
  it.each<HeicCard>(['p3-nclx-8bit', 'bt2020-nclx-10bit', 'p3-icc-10bit'])(
    "a %s photo's patches decode to their sRGB colours within ±4",
    async (card) => {
      expectWithin(patchMeans(await decoded(await heicCard(card))), PATCHES, 4);
    },
    30_000,
  );

  it('a P3-nclx photo plays back in a render as its sRGB patches, within ±4', async () => {
    const bytes = await heicCard('p3-nclx-8bit');
    const shots = [
      { photo: { media: mediaFor('m_heic_patches', W, H, 'image/heic'), bytes }, motion: 'zoom-in' as const },
    ];
    const video = await renderStoryboard(storyboardFor(shots, { shotSec: 2 }), shots, ffmpeg);
    try {
      expectWithin(patchMeans(await browserRgbFrame(ffmpeg, video.file, 0, W, H)), PATCHES, 4);
    } finally {
      video.cleanup();
    }
  }, 120_000);
});

describe('HDR stills (PQ, HLG) tone-mapped to SDR', () => {
  /**
   * Thresholds, and why:
   * - reference white ≥ 220 in each channel (86 %): it reads as white next to SDR white; shown as-is it would be
   *   148 (PQ 58 %) or 192 (HLG 75 %), paper grey; the clips' Möbius roll-off to a 1000 cd/m² peak puts it at 228.
   * - black ≤ 8: no haze.
   * - every colour below reference white within ΔE*ab 3 of the scene (2.3 is a just-noticeable difference; 1.2
   *   measured): not darker, not duller. As-is, PQ puts grey 118 at 102 and the red at (121, 76, 60), ΔE 50.
   * - red keeps its hue within 5° and at least 90 % of its chroma: red stays red, not orange, pink or washed out.
   */
  it.each(['pq', 'hlg'] as const)(
    'a %s still keeps reference white near white, its colours and the hue of its red',
    async (card) => {
      const measured = patchMeans(await decoded(await heicCard(card, { patches: HDR_SCENE })));
      expect(Math.min(...measured[HDR_WHITE]!), `white ${measured[HDR_WHITE]!.map(Math.round)}`).toBeGreaterThanOrEqual(
        220,
      );
      expect(Math.max(...measured[HDR_BLACK]!), `black ${measured[HDR_BLACK]!.map(Math.round)}`).toBeLessThanOrEqual(8);
      HDR_SCENE.forEach((colour, p) => {
        if (p === HDR_WHITE) return;
        const error = deltaE(measured[p]!, colour);
        expect(error, `patch ${colour} came out ${measured[p]!.map(Math.round)}`).toBeLessThanOrEqual(3);
      });
      expect(hueTurn(measured[HDR_RED]!, HDR_SCENE[HDR_RED]!)).toBeLessThanOrEqual(5);
      expect(chroma(measured[HDR_RED]!)).toBeGreaterThanOrEqual(0.9 * chroma(HDR_SCENE[HDR_RED]!));
    },
    30_000,
  );

  it.each(['pq', 'hlg'] as const)(
    'a %s still comes out as a clip of the same frame does, within ±5 (PQ) or ±3 (HLG)',
    async (card) => {
      const { hevc, colour } = await cardFrame(card, { patches: HDR_SCENE });
      const dir = mkdtempSync(join(tmpdir(), 'sirtrav-hdr-still-'));
      const frames = new ClipFrames({
        ffmpeg,
        file: join(dir, 'clip.mp4'),
        startSec: 0,
        width: W,
        height: H,
        fps: 30,
        hdr: card,
      });
      try {
        writeFileSync(join(dir, 'frame.hevc'), hevc);
        const mux = ['-f', 'hevc', '-i', join(dir, 'frame.hevc'), '-c', 'copy', '-tag:v', 'hvc1'];
        await ffmpegOutput(ffmpeg, [...mux, join(dir, 'clip.mp4')]);
        const clip = patchMeans(browserRgb(planesBytes(await frames.frameAt(0)), W, H));
        const still = patchMeans(await decoded(heifFile({ width: W, height: H, hevc, colour })));
        // 8-bit PQ codes step coarsely, and BT.2020 to BT.709 subtracts large components for a saturated colour's
        // small one: the green's red channel lands 5 off (45 against 40). HLG's codes are finer.
        expectWithin(still, clip, card === 'pq' ? 5 : 3);
      } finally {
        frames.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('orientation of a HEVC HEIC', () => {
  it('irot and imir are applied by the decoder: the photo comes out as displayed', async () => {
    // A red top-left quadrant on grey, 64×48; turned 90° anticlockwise it sits bottom left, then mirrored left-right.
    const [w, h] = [64, 48];
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set(i % w < w / 2 && i < (w * h) / 2 ? [200, 40, 40] : [128, 128, 128], i * 3);
    const hevc = hevcIntra({ ffmpeg, width: w, height: h, rgb, bitDepth: 8, matrix: 1, fullRange: false });
    const corners = async (bytes: Uint8Array) => {
      const { data, info } = await toSrgb(await photoImage(HEIC, bytes))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const red = (x: number, y: number) => (data[(y * info.width + x) * 3]! > 170 ? 'R' : '.');
      const [right, bottom] = [info.width - 4, info.height - 4];
      return {
        size: [info.width, info.height],
        corners: red(3, 3) + red(right, 3) + red(3, bottom) + red(right, bottom),
      };
    };
    expect(await corners(heifFile({ hevc, width: w, height: h }))).toEqual({ size: [64, 48], corners: 'R...' });
    expect(await corners(heifFile({ hevc, width: w, height: h, rotation: 90 }))).toEqual({
      size: [48, 64],
      corners: '..R.',
    });
    expect(await corners(heifFile({ hevc, width: w, height: h, rotation: 90, mirror: 'left-right' }))).toEqual({
      size: [48, 64],
      corners: '...R',
    });
  });
});
