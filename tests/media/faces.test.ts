import sharp from 'sharp';
import { performance } from 'node:perf_hooks';
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

describe('the detector thread', () => {
  it('leaves this thread free while it works, and starts again after it has stopped', async () => {
    // A wide photo (three real ones side by side) is read in several tiles: a long piece of work for the detector.
    const parts = await Promise.all(
      ['astronaut', 'coffee', 'chelsea'].map((name) => rgbOf(realPhoto(name as RealPhoto))),
    );
    const side = 512;
    const wide = await sharp({ create: { width: side * 3, height: side, channels: 3, background: '#000' } })
      .composite(
        await Promise.all(
          parts.map(async (part, i) => ({
            input: await sharp(part.rgb, { raw: { width: part.width, height: part.height, channels: 3 } })
              .resize(side, side)
              .png()
              .toBuffer(),
            left: i * side,
            top: 0,
          })),
        ),
      )
      .removeAlpha()
      .raw()
      .toBuffer();
    // How busy this thread's event loop is while the detector works: idle, but for receiving the answer.
    const before = performance.eventLoopUtilization();
    const faces = await detectFaces(new Uint8Array(wide), side * 3, side);
    const busy = performance.eventLoopUtilization(before);
    expect(faces).toHaveLength(1);
    expect(faces[0]!.x + faces[0]!.width).toBeLessThan(1 / 3);
    // Loading the detector and reading six tiles at two sizes takes over a second of computing, none of it here.
    expect(busy.utilization).toBeLessThan(0.25);
    // The idle worker stops after 2 s; the next detection starts another.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const again = await rgbOf(realPhoto('astronaut'));
    expect(await detectFaces(again.rgb, again.width, again.height)).toHaveLength(1);
  });

  it('refuses pixels that do not match the size given', async () => {
    await expect(detectFaces(new Uint8Array(10), 4, 4)).rejects.toThrow(/4×4 RGB/);
  });
});
