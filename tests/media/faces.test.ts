import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analysePhoto } from '../../src/media/analyse.js';
import { detectFaces, headsRegion } from '../../src/media/faces.js';
import { realPhoto, type RealPhoto } from '../helpers/real-photos.js';

async function rgbOf(bytes: Uint8Array): Promise<{ rgb: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { rgb: new Uint8Array(data), width: info.width, height: info.height };
}

describe('faces', () => {
  it("finds the astronaut's face where it is, and none in the cup, the cat, the rocket or the sky", async () => {
    const astronaut = await rgbOf(realPhoto('astronaut'));
    const [face, ...others] = await detectFaces(astronaut.rgb, astronaut.width, astronaut.height);
    expect(others).toEqual([]);
    // Her face in the 512×512 photo: about x 170–280, y 70–190 (brow to chin).
    expect(face!.x * 512).toBeGreaterThan(140);
    expect((face!.x + face!.width) * 512).toBeLessThan(300);
    expect(face!.y * 512).toBeGreaterThan(40);
    expect((face!.y + face!.height) * 512).toBeLessThan(210);
    for (const name of ['coffee', 'chelsea', 'rocket', 'dusk-sky'] as RealPhoto[]) {
      const photo = await rgbOf(realPhoto(name));
      expect(await detectFaces(photo.rgb, photo.width, photo.height), name).toEqual([]);
    }
  });

  it('makes the head the subject a crop keeps: the analysis focuses on it, hair and chin included', async () => {
    const analysis = await analysePhoto({ contentType: 'image/jpeg' }, realPhoto('astronaut'));
    expect(analysis.faces).toHaveLength(1);
    const face = analysis.faces![0]!;
    expect(analysis.focus).toEqual(headsRegion([face]));
    expect(analysis.focus.x).toBeLessThan(face.x);
    expect(analysis.focus.y).toBeLessThan(face.y);
    expect(analysis.focus.x + analysis.focus.width).toBeGreaterThan(face.x + face.width);
    expect(analysis.focus.y + analysis.focus.height).toBeGreaterThan(face.y + face.height);
    // Without faces, the salient region, as before.
    const cup = await analysePhoto({ contentType: 'image/jpeg' }, realPhoto('coffee'));
    expect(cup.faces).toEqual([]);
    expect(cup.focus.width).toBeGreaterThan(0);
  });
});
