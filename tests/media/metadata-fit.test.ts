import { describe, expect, it } from 'vitest';
import { fitMetadata } from '../../src/media/library.js';
import { mediaSchema, type Media } from '../../src/schemas/media.js';
import { getMetadata, keys, parseId, putBinary } from '../../src/storage/index.js';
import { mediaFor } from '../helpers/render.js';
import { useLocalServer } from '../helpers/server.js';

useLocalServer();

const face = (i: number) => ({ x: 0.1 + i * 0.1, y: 0.2345, width: 0.0612 - i * 0.001, height: 0.0789 });

/** A photo whose metadata is as large as the schema allows: the longest name in a wide script, eight faces, a Live Photo. */
function largest(): Media & { createdAt: string } {
  const id = parseId('n0pLwy4_WXyteMU8om1VVX_K3cKfqVxZhmSTaJ_ZecY');
  return mediaSchema.parse({
    ...mediaFor(id, 4032, 3024, 'image/heic'),
    filename: `${'北海道の夏休み・家族旅行'.repeat(10).slice(0, 115)}.HEIC`,
    takenAt: '2025-06-10T18:30:05+02:00',
    gps: { latitude: 43.064171, longitude: 141.346939, altitude: 12.345678 },
    camera: { make: 'Apple', model: 'iPhone 15 Pro Max back triple camera 6.765mm f/1.78' },
    contentId: 'FFCBAC24-E547-4BBC-AF47-38B1A3D845E3',
    liveClip: { mediaId: id, durationSec: 2.967 },
    analysis: {
      hash: '0110'.repeat(16),
      sharpness: 1234.5678,
      peakSharpness: 1.234,
      exposure: 0.8765,
      focus: { x: 0.05, y: 0.1, width: 0.9, height: 0.5 },
      faces: Array.from({ length: 8 }, (_, i) => face(i)),
    },
  }) as Media & { createdAt: string };
}

describe("a photo's metadata", () => {
  it('is fitted within the store’s 2 KB: faces first, smallest first, then the name, keeping its extension', async () => {
    const full = { ...largest(), createdAt: '2025-06-10T18:31:00.000Z' };
    const ref = keys.media(parseId('p_fit'), full.mediaId);
    // As it is, the store refuses it: the client checks the cap before sending.
    await expect(putBinary(ref, new Uint8Array([1]), full)).rejects.toThrow(/exceeds the maximum size/);
    const fitted = fitMetadata(full);
    expect(await putBinary(ref, new Uint8Array([1]), fitted)).toBe(true);
    expect(mediaSchema.parse(await getMetadata(ref))).toEqual(mediaSchema.parse(fitted));
    // The largest faces stay; the focus (every head) is untouched.
    const kept = fitted.analysis!.faces!;
    expect(kept).toEqual(full.analysis!.faces!.slice(0, kept.length));
    expect(fitted.analysis!.focus).toEqual(full.analysis!.focus);
    expect(fitted.filename.endsWith('.HEIC')).toBe(true);
  });

  it('is left as it is when it fits', () => {
    const small = { ...mediaFor('m_small', 100, 100), createdAt: '2025-06-10T18:31:00.000Z' };
    expect(fitMetadata(small)).toBe(small);
  });
});
