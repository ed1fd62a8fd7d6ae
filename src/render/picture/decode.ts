import type { Sharp } from 'sharp';
import type { Media } from '../../schemas/media.js';
import { loadHeicDecoder, loadSharp } from './native.js';

/**
 * A sharp pipeline for any accepted photo, upright. HEVC-coded HEIC is decoded
 * to raw pixels first (libvips in sharp's prebuilt binaries cannot).
 */
export async function photoImage(media: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<Sharp> {
  const sharp = await loadSharp();
  if (media.contentType === 'image/heic' || media.contentType === 'image/heif') {
    const metadata = await sharp(bytes).metadata();
    if (metadata.compression === 'hevc') {
      const image = await (await loadHeicDecoder())({ buffer: bytes });
      return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
        raw: { width: image.width, height: image.height, channels: 4 },
      });
    }
  }
  return sharp(bytes, { sequentialRead: true }).rotate();
}

/**
 * The photo's pixels as sRGB. Phones shoot Display P3 and cameras embed other
 * ICC profiles; libvips converts through the embedded profile, and a photo
 * without one is taken as sRGB already.
 */
export function toSrgb(image: Sharp): Sharp {
  return image.toColourspace('srgb');
}
