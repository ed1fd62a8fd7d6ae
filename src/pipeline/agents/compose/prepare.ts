import decodeHeic from 'heic-decode';
import sharp from 'sharp';
import type { Media } from '../../../schemas/media.js';

// Each photo is read once: caching decoded images would only hold memory. One
// libvips thread per photo (two photos are prepared at a time) keeps glibc from
// growing a malloc arena per thread that is never given back.
sharp.cache(false);
sharp.concurrency(1);

/** Photos are prepared larger than the frame so Ken Burns motion has room to move. */
export const MOTION_HEADROOM = 1.25;

const even = (value: number) => Math.round(value / 2) * 2;

export function preparedSize(width: number, height: number): { width: number; height: number } {
  return { width: even(width * MOTION_HEADROOM), height: even(height * MOTION_HEADROOM) };
}

/** sharp input for any accepted photo; HEVC-coded HEIC is decoded to raw pixels first. */
async function sharpInput(media: Media, bytes: Uint8Array): Promise<sharp.Sharp> {
  if (media.contentType === 'image/heic' || media.contentType === 'image/heif') {
    const metadata = await sharp(bytes).metadata();
    if (metadata.compression === 'hevc') {
      const image = await decodeHeic({ buffer: bytes });
      return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } });
    }
  }
  return sharp(bytes, { sequentialRead: true }).rotate();
}

/**
 * One photo, upright and cropped to the frame's shape around its most
 * interesting part, at the frame size plus motion headroom, as a JPEG for ffmpeg.
 */
export async function preparePhoto(media: Media, bytes: Uint8Array, frame: { width: number; height: number }): Promise<Buffer> {
  const size = preparedSize(frame.width, frame.height);
  const image = await sharpInput(media, bytes);
  return image
    .resize(size.width, size.height, { fit: 'cover', position: sharp.strategy.attention })
    .flatten({ background: '#000000' })
    .jpeg({ quality: 90, chromaSubsampling: '4:2:0' })
    .toBuffer();
}
