import decodeHeic from 'heic-decode';
import sharp from 'sharp';
import type { Media } from '../schemas/media.js';

/**
 * A sharp pipeline for any accepted photo, upright. HEVC-coded HEIC is decoded
 * to raw pixels first (libvips in sharp's prebuilt binaries cannot).
 */
export async function photoImage(media: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<sharp.Sharp> {
  if (media.contentType === 'image/heic' || media.contentType === 'image/heif') {
    const metadata = await sharp(bytes).metadata();
    if (metadata.compression === 'hevc') {
      const image = await decodeHeic({ buffer: bytes });
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
export function toSrgb(image: sharp.Sharp): sharp.Sharp {
  return image.toColourspace('srgb');
}
