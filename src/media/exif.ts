import exifr from 'exifr';

export interface ExifFacts {
  takenAt: string | null;
  gps: { latitude: number; longitude: number; altitude: number | null } | null;
  camera: { make: string | null; model: string | null } | null;
  orientation: number | null;
}

const NONE: ExifFacts = { takenAt: null, gps: null, camera: null, orientation: null };

const cleanText = (value: unknown): string | null => {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 64);
  return text || null;
};

/**
 * "2024:07:14 18:30:05" and "+02:00" → "2024-07-14T18:30:05+02:00". Values are
 * taken as written, never revived into a Date, so the server's time zone
 * cannot shift them. Without an offset the result is local wall-clock time.
 */
export function exifDateToIso(dateTime: unknown, offset: unknown): string | null {
  if (typeof dateTime !== 'string') return null;
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(dateTime.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const local = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}`;
  if (typeof offset === 'string' && /^[+-](0\d|1[0-4]):[0-5]\d$/.test(offset.trim())) return `${local}${offset.trim()}`;
  return local;
}

/**
 * Reads the facts the director uses from a raw EXIF block (as sharp returns it
 * for every format; exifr cannot find EXIF inside WebP or AVIF files itself).
 * Unreadable EXIF is no error: the photo simply has no facts.
 */
export async function readExif(exif: Buffer | undefined): Promise<ExifFacts> {
  if (!exif || exif.byteLength < 8) return NONE;
  const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(tiff, {
      reviveValues: false,
      translateValues: false,
      translateKeys: true,
      gps: true,
      tiff: true,
      exif: true,
      xmp: false,
      icc: false,
      iptc: false,
    });
  } catch {
    return NONE;
  }
  if (!tags) return NONE;
  const latitude = typeof tags.latitude === 'number' && Number.isFinite(tags.latitude) ? tags.latitude : null;
  const longitude = typeof tags.longitude === 'number' && Number.isFinite(tags.longitude) ? tags.longitude : null;
  const altitude =
    typeof tags.GPSAltitude === 'number' ? tags.GPSAltitude * (tags.GPSAltitudeRef === 1 ? -1 : 1) : null;
  const make = cleanText(tags.Make);
  const model = cleanText(tags.Model);
  const orientation =
    typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : null;
  return {
    takenAt: exifDateToIso(tags.DateTimeOriginal ?? tags.CreateDate, tags.OffsetTimeOriginal ?? tags.OffsetTime),
    gps:
      latitude !== null && longitude !== null && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180
        ? { latitude, longitude, altitude }
        : null,
    camera: make || model ? { make, model } : null,
    orientation,
  };
}
