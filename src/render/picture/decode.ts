import type { Sharp } from 'sharp';
import type { Media } from '../../schemas/media.js';
import { withIccChunk } from './icc-png.js';
import { loadHeicDecoder, loadSharp } from './native.js';

/**
 * A sharp pipeline for any accepted photo, upright. HEVC-coded HEIC is decoded
 * to raw pixels first (libvips in sharp's prebuilt binaries cannot); the ICC
 * profile the file carries (Display P3 on an iPhone) stays with those pixels,
 * so they are converted to sRGB through it like any other photo's.
 */
export async function photoImage(media: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<Sharp> {
  const sharp = await loadSharp();
  if (media.contentType === 'image/heic' || media.contentType === 'image/heif') {
    const metadata = await sharp(bytes).metadata();
    if (metadata.compression === 'hevc') {
      const image = await (await loadHeicDecoder())({ buffer: bytes });
      const raw = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
        raw: { width: image.width, height: image.height, channels: 4 },
      });
      return metadata.icc ? withProfile(raw, metadata.icc) : raw;
    }
  }
  return sharp(bytes, { sequentialRead: true }).rotate();
}

/** Raw pixels read through an ICC profile: wrapped in a fast, uncompressed PNG that carries it. */
async function withProfile(raw: Sharp, icc: Uint8Array): Promise<Sharp> {
  const sharp = await loadSharp();
  const png = await raw.png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
  return sharp(withIccChunk(png, icc), { sequentialRead: true });
}

/**
 * The photo's pixels as sRGB. Phones shoot Display P3 and cameras embed other
 * ICC profiles; libvips converts through the embedded profile, and a photo
 * without one is taken as sRGB already.
 */
export function toSrgb(image: Sharp): Sharp {
  return image.toColourspace('srgb');
}
