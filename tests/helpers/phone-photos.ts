import sharp from 'sharp';

/** A deterministic pseudo-random byte source, so the same seed makes the same photo. */
function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/**
 * A 12 MP photo like a phone's (4000×3000 JPEG of a few MB): smooth shapes with
 * fine grain, an EXIF date a day apart per seed and a GPS position.
 */
export async function makePhonePhoto(seed: number): Promise<Uint8Array> {
  const coarse = await sharp(seededBytes(40 * 30 * 3, seed), { raw: { width: 40, height: 30, channels: 3 } })
    .resize(4000, 3000, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const grain = seededBytes(4000 * 3000 * 3, seed + 7919);
  for (let i = 0; i < coarse.length; i++) coarse[i] = Math.min(255, Math.max(0, coarse[i]! + ((grain[i]! % 17) - 8)));
  const day = String((seed % 28) + 1).padStart(2, '0');
  return new Uint8Array(
    await sharp(coarse, { raw: { width: 4000, height: 3000, channels: 3 } })
      .withExif({
        IFD0: { Make: 'SirTrav', Model: 'Test Phone' },
        IFD2: { DateTimeOriginal: `2025:09:${day} 1${seed % 10}:30:00`, OffsetTimeOriginal: '+02:00' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: `47/1 33/1 ${4400 + seed}/100`,
          GPSLongitudeRef: 'E',
          GPSLongitude: '13/1 38/1 58/1',
        },
      })
      .jpeg({ quality: 88 })
      .toBuffer(),
  );
}
