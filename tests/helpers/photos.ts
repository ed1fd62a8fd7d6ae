import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

export type Format = 'jpeg' | 'png' | 'webp' | 'avif';

export interface PhotoOptions {
  width?: number;
  height?: number;
  /** Distinguishes otherwise identical photos. */
  seed?: number;
  takenAt?: string;
  offset?: string;
  gps?: { lat: [number, number, number]; latRef: 'N' | 'S'; lon: [number, number, number]; lonRef: 'E' | 'W' };
  orientation?: number;
  make?: string;
  model?: string;
}

/** A real photo made with sharp: a colour field with a seeded shape, and the EXIF asked for. */
export async function makePhoto(format: Format, options: PhotoOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const seed = options.seed ?? 1;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 200) / width + ((seed * 37) % 56);
      pixels[i + 1] = (y * 200) / height + ((seed * 91) % 56);
      pixels[i + 2] =
        ((x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 4) ** 2 ? 200 : 30) + ((seed * 13) % 56);
    }
  }
  const exif: Record<string, Record<string, string>> = {};
  if (options.make || options.model)
    exif.IFD0 = { ...(options.make ? { Make: options.make } : {}), ...(options.model ? { Model: options.model } : {}) };
  if (options.takenAt)
    exif.IFD2 = {
      DateTimeOriginal: options.takenAt,
      ...(options.offset ? { OffsetTimeOriginal: options.offset } : {}),
    };
  if (options.gps) {
    const dms = ([d, m, s]: [number, number, number]) => `${d}/1 ${m}/1 ${Math.round(s * 100)}/100`;
    exif.IFD3 = {
      GPSLatitudeRef: options.gps.latRef,
      GPSLatitude: dms(options.gps.lat),
      GPSLongitudeRef: options.gps.lonRef,
      GPSLongitude: dms(options.gps.lon),
    };
  }
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (Object.keys(exif).length > 0) image = image.withExif(exif);
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  return new Uint8Array(await image[format]().toBuffer());
}

/** A high-entropy 12 MP JPEG of about 12 MB, like a real phone photo. */
export async function makeLargeJpeg(): Promise<Uint8Array<ArrayBuffer>> {
  const width = 4000;
  const height = 3000;
  return new Uint8Array(
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
}

/** A real HEIC (HEVC) photo made with libheif's heif-enc: 96×64, taken 2025-05-03 09:15:42 -04:00 at 40.6893 N, 74.0445 W. */
export const heicFixture = () => new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/sample.heic')));

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid 1-bit PNG of the given size: tiny on disk, enormous once decoded (a decompression bomb). */
export function makeBombPng(width = 20000, height = 20000): Uint8Array<ArrayBuffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(rows, { level: 9 })),
      pngChunk('IEND', Buffer.alloc(0)),
    ]),
  );
}
