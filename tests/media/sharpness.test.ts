import { describe, expect, it } from 'vitest';
import { analysePhoto } from '../../src/media/analyse.js';
import { BLURRY_BELOW } from '../../src/media/sharpness.js';
import { BLURRED_REAL_PHOTOS, fogged, gaussianBlur, lensBlur, REAL_PHOTOS, realPhoto } from '../helpers/real-photos.js';

const measure = async (bytes: Uint8Array) => analysePhoto({ contentType: 'image/jpeg' }, bytes);

describe('sharpness of the sharpest part', () => {
  it('calls every real photo sharp, however little texture it has', async () => {
    for (const name of REAL_PHOTOS) {
      const { peakSharpness } = await measure(realPhoto(name));
      expect(peakSharpness, name).toBeGreaterThan(BLURRY_BELOW * 1.5);
    }
  }, 60_000);

  it('does not depend on how much texture or contrast there is: a foggy dusk sky is as sharp as a cat', async () => {
    const sky = await measure(realPhoto('dusk-sky'));
    const fog = await measure(await fogged(realPhoto('dusk-sky'), 0.3));
    const cat = await measure(realPhoto('chelsea'));
    // The old whole-photo measure sees almost nothing in the fog...
    expect(fog.sharpness).toBeLessThan(cat.sharpness / 10);
    // ...the sharpest part is as crisp as ever.
    expect(fog.peakSharpness).toBeGreaterThan(BLURRY_BELOW * 1.5);
    expect(fog.peakSharpness! / sky.peakSharpness!).toBeGreaterThan(0.7);
  }, 60_000);

  it('calls every real photo blurry once it is out of focus (a Gaussian of 3 px or a lens disc of 4 px)', async () => {
    for (const name of REAL_PHOTOS) {
      const gaussian = await measure(await gaussianBlur(realPhoto(name), 3));
      const lens = await measure(await lensBlur(realPhoto(name), 4));
      expect(gaussian.peakSharpness ?? 0, name).toBeLessThan(BLURRY_BELOW);
      expect(lens.peakSharpness ?? 0, name).toBeLessThan(BLURRY_BELOW);
    }
  }, 120_000);

  it('calls a real photo blurred by a moving camera blurry', async () => {
    for (const name of BLURRED_REAL_PHOTOS) {
      const { peakSharpness } = await measure(realPhoto(name));
      expect(peakSharpness ?? 0, name).toBeLessThan(BLURRY_BELOW);
    }
  }, 30_000);

  it('leaves a photo with no detail at all unjudged rather than blurry', async () => {
    const flat = await measure(await gaussianBlur(await fogged(realPhoto('dusk-sky'), 0.2), 6));
    expect(flat.peakSharpness).toBeNull();
  }, 30_000);
});
