import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysePhoto } from '../../src/media/analyse.js';
import { photoImage, toSrgb } from '../../src/render/picture/decode.js';
import type { Media } from '../../src/schemas/media.js';
import { createProjectOverHttp } from '../helpers/api.js';
import { heicCard, type HeicCard } from '../helpers/heic-cards.js';
import { H, HDR_SCENE, HDR_WHITE, PATCHES, patchMeans, W } from '../helpers/patches.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
let api: (path: string) => string;

beforeAll(async () => {
  ({ api } = await createProjectOverHttp(server.current.url));
});

describe('HEIC with nclx colour, 10 bits or HDR, uploaded', () => {
  it.each<HeicCard>(['p3-nclx-8bit', 'bt2020-nclx-10bit', 'p3-icc-10bit', 'pq', 'hlg'])(
    'a %s photo is stored and measured, and its preview shows its sRGB colours',
    async (card) => {
      const hdr = card === 'pq' || card === 'hlg';
      const bytes = await heicCard(card, hdr ? { patches: HDR_SCENE } : {});
      const response = await fetch(api('/media'), {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'x-filename': `${card}.heic` },
        body: bytes,
      });
      expect(response.status).toBe(201);
      const [media] = ((await response.json()) as { media: Media[] }).media;
      expect(media).toMatchObject({ contentType: 'image/heic', width: W, height: H });
      expect(media!.analysis).toEqual(await analysePhoto(media!, bytes));
      const preview = await fetch(api(`/media/${media!.mediaId}/preview.jpg`));
      expect(preview.status).toBe(200);
      const pixels = await sharp(Buffer.from(await preview.arrayBuffer()))
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      const shown = patchMeans(pixels);
      // SDR: the sRGB patches. HDR: what the renderer draws (its highlights compressed), white near white.
      const expected = hdr
        ? patchMeans(
            await toSrgb(await photoImage(media!, bytes))
              .removeAlpha()
              .raw()
              .toBuffer(),
          )
        : PATCHES;
      // The preview is a JPEG (quality 82, 4:2:0): ±5 leaves it a code beside the decode's ±4.
      shown.forEach((patch, p) =>
        patch.forEach((value, c) =>
          expect(Math.abs(value - expected[p]![c]!), `patch ${p}: ${patch.map(Math.round)}`).toBeLessThanOrEqual(5),
        ),
      );
      if (hdr) expect(Math.min(...shown[HDR_WHITE]!)).toBeGreaterThanOrEqual(220);
    },
    60_000,
  );
});
