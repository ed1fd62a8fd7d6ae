import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor } from '../../helpers/render.js';
import { ADOBE_RGB, PROPHOTO_RGB } from '../../helpers/icc.js';
import { matrixProfile } from '../../../src/render/picture/icc-profile.js';
import { browserRgbFrame } from '../../helpers/video-measure.js';
import { H, PATCHES, patchMeans, patchPixels, W } from '../../helpers/patches.js';
import { withIccChunk } from '../../../src/render/picture/icc-png.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;

const dir = mkdtempSync(join(tmpdir(), 'sirtrav-icc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The patches as a photo whose pixels are in `profile` (converted from sRGB, the profile embedded). */
async function patchPhoto(profile: 'srgb' | 'p3' | 'adobe' | 'prophoto'): Promise<Uint8Array> {
  let icc: string = profile;
  if (profile === 'adobe' || profile === 'prophoto') {
    icc = join(dir, `${profile}.icc`);
    writeFileSync(icc, matrixProfile(profile === 'adobe' ? ADOBE_RGB : PROPHOTO_RGB));
  }
  const image = sharp(patchPixels(), { raw: { width: W, height: H, channels: 3 } }).withIccProfile(icc);
  return new Uint8Array(await image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer());
}

describe('colour through embedded ICC profiles', () => {
  it.each(['srgb', 'p3', 'adobe', 'prophoto'] as const)(
    "a %s photo's patches play back within ±4 of a colour-managed decode",
    async (profile) => {
      const bytes = await patchPhoto(profile);
      // What a browser shows: the photo converted through its profile to sRGB.
      const reference = patchMeans(await sharp(bytes).toColourspace('srgb').raw().toBuffer());
      const shots = [{ photo: { media: mediaFor('m_patches', W, H), bytes }, motion: 'zoom-in' as const }];
      const video = await renderStoryboard(storyboardFor(shots, { shotSec: 2 }), shots, ffmpeg);
      try {
        const played = patchMeans(await browserRgbFrame(ffmpeg, video.file, 0, W, H));
        played.forEach((patch, p) =>
          patch.forEach((value, c) =>
            expect(Math.abs(value - reference[p]![c]!), `patch ${p} channel ${c}`).toBeLessThanOrEqual(4),
          ),
        );
      } finally {
        video.cleanup();
      }
    },
    60_000,
  );
});

describe('raw pixels with their profile (a decoded HEVC HEIC)', () => {
  it('are read through the ICC profile they came with: P3 numbers come out as the sRGB colour they stand for', async () => {
    const bytes = await patchPhoto('p3');
    // The P3 numbers themselves, as heic-decode hands them over, and the profile the file carries.
    const { data, info } = await sharp(bytes).keepIccProfile().raw().toBuffer({ resolveWithObject: true });
    const { icc } = await sharp(bytes).metadata();
    const raw = () => sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
    const png = await raw().png({ compressionLevel: 0 }).toBuffer();
    const asSrgb = async (image: Uint8Array) => patchMeans(await sharp(image).toColourspace('srgb').raw().toBuffer());
    const managed = await asSrgb(withIccChunk(png, icc!));
    const unmanaged = await asSrgb(png);
    managed.forEach((patch, p) =>
      patch.forEach((value, c) => expect(Math.abs(value - PATCHES[p]![c]!), `patch ${p}`).toBeLessThanOrEqual(3)),
    );
    // Without the profile the red patch is visibly off: the test would see a lost profile.
    expect(Math.abs(unmanaged[0]![0]! - PATCHES[0]![0]) + Math.abs(unmanaged[0]![1]! - PATCHES[0]![1])).toBeGreaterThan(
      10,
    );
  });
});
