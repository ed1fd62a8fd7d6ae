import type { Sharp } from 'sharp';
import type { Media } from '../../schemas/media.js';
import { isHdrTransfer, toneMapStill } from './hdr-still.js';
import { heifNclx } from './heif-colour.js';
import { nclxProfile } from './icc-profile.js';
import { withIccChunk } from './icc-png.js';
import { loadHeicDecoder, loadSharp } from './native.js';

/**
 * A sharp pipeline for any accepted photo, upright. HEVC-coded HEIC is decoded
 * to raw pixels first (libvips in sharp's prebuilt binaries cannot), upright
 * already (libheif applies irot and imir), with their colour kept in view: see
 * heicImage.
 */
export async function photoImage(media: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<Sharp> {
  const sharp = await loadSharp();
  if (media.contentType === 'image/heic' || media.contentType === 'image/heif') {
    const metadata = await sharp(bytes).metadata();
    if (metadata.compression === 'hevc') return heicImage(bytes, metadata.icc ?? null);
  }
  return sharp(bytes, { sequentialRead: true }).rotate();
}

/**
 * A HEVC HEIC's pixels, 8 bits a channel whatever the stream's depth, in the
 * colour the file states. An ICC profile (Display P3 on an iPhone) stays with
 * them, so they are converted to sRGB through it like any other photo's. nclx
 * code points (Android phones, cameras) become the matrix/TRC profile they
 * describe; an HDR transfer (PQ, HLG) is tone-mapped to SDR here, as clips
 * are. libheif has already applied the nclx matrix and range in turning YCbCr
 * into RGB.
 */
async function heicImage(bytes: Uint8Array, icc: Uint8Array | null): Promise<Sharp> {
  const sharp = await loadSharp();
  const image = await (await loadHeicDecoder())({ buffer: bytes });
  const nclx = icc ? null : heifNclx(bytes);
  if (nclx && isHdrTransfer(nclx)) toneMapStill({ rgba: image.data, nclx });
  const raw = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
  const profile = icc ?? (nclx && !isHdrTransfer(nclx) ? nclxProfile(nclx) : null);
  return profile ? withProfile(raw, profile) : raw;
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
