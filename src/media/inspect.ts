import { fileTypeFromBuffer } from 'file-type';
import type { Metadata } from 'sharp';
import { AppError } from '../errors.js';
import { IMAGE_TYPES, type ImageType } from '../schemas/media.js';
import { readExif, type ExifFacts } from './exif.js';
import { loadHeicDecoder, loadSharp } from '../render/picture/native.js';

/** Decompression-bomb guard: larger images are refused before they are decoded. */
export const MAX_PIXELS = 100_000_000;

export interface ImageFacts extends ExifFacts {
  contentType: ImageType;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
}

const unsupported = (found: string) =>
  new AppError(
    415,
    'unsupported_media_type',
    `Only JPEG, PNG, WebP, AVIF and HEIC/HEIF photos and MP4/MOV clips are accepted; these bytes are ${found}.`,
  );

const unusable = (code: string, message: string) => new AppError(422, code, message);

/** The type comes from the bytes' magic numbers, never from a header or file name. */
export async function sniffImageType(bytes: Uint8Array): Promise<ImageType> {
  const found = await fileTypeFromBuffer(bytes);
  if (!found) throw unsupported('not a recognised file type');
  if (!(IMAGE_TYPES as readonly string[]).includes(found.mime)) throw unsupported(found.mime);
  return found.mime as ImageType;
}

/**
 * Sniffs, checks the size from the header, and decodes the whole image once
 * (at reduced scale where the codec allows), so a truncated or corrupt photo is
 * refused at upload rather than at render time. HEVC-coded HEIC, which sharp
 * cannot decode, goes through the libheif wasm decoder.
 */
export async function inspectImage(bytes: Uint8Array): Promise<ImageFacts> {
  const contentType = await sniffImageType(bytes);
  const sharp = await loadSharp();
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw unusable('corrupt_image', 'The image header cannot be read; the file is damaged or incomplete.');
  }
  const { width, height } = metadata;
  if (!width || !height) throw unusable('corrupt_image', 'The image has no size; the file is damaged or incomplete.');
  if (width * height > MAX_PIXELS) {
    throw unusable(
      'image_too_large',
      `The image is ${width}×${height} (${Math.round((width * height) / 1e6)} megapixels); at most ${MAX_PIXELS / 1e6} megapixels are accepted.`,
    );
  }
  await decodeCheck(bytes, metadata);
  const exif = await readExif(metadata.exif);
  const displayed = metadata.autoOrient ?? { width, height };
  return {
    contentType,
    width: displayed.width,
    height: displayed.height,
    ...exif,
    orientation: metadata.orientation ?? exif.orientation,
  };
}

async function decodeCheck(bytes: Uint8Array, metadata: Metadata): Promise<void> {
  const sharp = await loadSharp();
  try {
    if (metadata.format === 'heif' && metadata.compression === 'hevc') {
      await (
        await loadHeicDecoder()
      )({ buffer: bytes });
      return;
    }
    await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch {
    throw unusable('corrupt_image', 'The image cannot be decoded; the file is truncated or corrupt.');
  }
}
