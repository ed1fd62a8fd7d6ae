import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor } from '../../helpers/render.js';
import { browserRgbFrame } from '../../helpers/video-measure.js';

const RED = [200, 40, 40] as const;

async function flatPhoto(profile: 'srgb' | 'p3'): Promise<Uint8Array> {
  const pixels = Buffer.alloc(480 * 320 * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(RED, i);
  let image = sharp(pixels, { raw: { width: 480, height: 320, channels: 3 } });
  // withIccProfile converts the sRGB pixels into Display P3 numbers and embeds the profile, as an iPhone photo has.
  if (profile === 'p3') image = image.withIccProfile('p3');
  return new Uint8Array(await image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer());
}

/** Mean colour of the centre 40×40 of a 640×360 RGB frame. */
function centreMean(rgb: Uint8Array): number[] {
  const sum = [0, 0, 0];
  for (let y = 160; y < 200; y++)
    for (let x = 300; x < 340; x++) for (let c = 0; c < 3; c++) sum[c]! += rgb[(y * 640 + x) * 3 + c]!;
  return sum.map((v) => v / 1600);
}

describe.each(Object.entries(FFMPEG_BUILDS))('true colour (ffmpeg: %s)', (_name, ffmpeg) => {
  it.each(['srgb', 'p3'] as const)(
    'a flat %s photo plays back as the same sRGB colour within ±4, tagged BT.709 limited range',
    async (profile) => {
      const bytes = await flatPhoto(profile);
      if (profile === 'p3') {
        // The fixture really holds P3 numbers: read without colour management they are far from the sRGB red.
        const stored = await sharp(bytes).pipelineColourspace('rgb16').raw().toBuffer();
        expect(Math.abs(stored.readUInt16LE(0) / 257 - RED[0])).toBeGreaterThan(8);
      }
      const shots = [{ photo: { media: mediaFor('m_flat', 480, 320), bytes }, motion: 'zoom-in' as const }];
      const video = await renderStoryboard(storyboardFor(shots, { shotSec: 1.5 }), shots, ffmpeg);
      try {
        const mean = centreMean(await browserRgbFrame(ffmpeg, video.file, 0.5, 640, 360));
        mean.forEach((value, c) =>
          expect(Math.abs(value - RED[c]!), `channel ${c}: ${mean.map((v) => v.toFixed(1))}`).toBeLessThanOrEqual(4),
        );
        const info = spawnSync(ffmpeg, ['-hide_banner', '-i', video.file], { encoding: 'utf8' }).stderr;
        expect(info).toMatch(/Video: h264.*yuv420p\(tv, bt709(, progressive)?\)/);
      } finally {
        video.cleanup();
      }
    },
  );
});
