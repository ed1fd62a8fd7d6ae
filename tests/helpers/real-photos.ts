import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';

/** The real photographs in tests/fixtures/photos (sources and licences in its LICENSES.md). */
export const REAL_PHOTOS = ['coffee', 'chelsea', 'astronaut', 'rocket', 'dusk-sky', 'eagle', 'deep-field'] as const;
/** Real photographs that came out blurred: the camera moved during the exposure. */
export const BLURRED_REAL_PHOTOS = ['clock-motion'] as const;
export type RealPhoto = (typeof REAL_PHOTOS)[number] | (typeof BLURRED_REAL_PHOTOS)[number];

export const realPhoto = (name: RealPhoto): Uint8Array =>
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', `${name}.jpg`)));

const jpeg = async (image: Sharp) => new Uint8Array(await image.jpeg({ quality: 90 }).toBuffer());

/** Out of focus the way a lens is: each point spread over a disc `radius` pixels wide. */
export async function lensBlur(bytes: Uint8Array, radius: number): Promise<Uint8Array> {
  const size = radius * 2 + 1;
  const kernel = Array.from({ length: size * size }, (_, i) =>
    Math.hypot((i % size) - radius, Math.floor(i / size) - radius) <= radius + 0.5 ? 1 : 0,
  );
  return jpeg(sharp(bytes).convolve({ width: size, height: size, kernel }));
}

/** Out of focus as a Gaussian of `sigma` pixels. */
export const gaussianBlur = async (bytes: Uint8Array, sigma: number) => jpeg(sharp(bytes).blur(sigma));

/** Seen through fog: contrast cut to `share` around a light grey. */
export const fogged = async (bytes: Uint8Array, share: number) => jpeg(sharp(bytes).linear(share, 180 * (1 - share)));
