import exifr from 'exifr';

export interface ExifFacts {
  takenAt: string | null;
  gps: { latitude: number; longitude: number; altitude: number | null } | null;
  camera: { make: string | null; model: string | null } | null;
  orientation: number | null;
  /** Apple's content identifier: a Live Photo's still and its movie carry the same one. */
  contentId: string | null;
}

const NONE: ExifFacts = { takenAt: null, gps: null, camera: null, orientation: null, contentId: null };

/** A content identifier as Apple writes it (a UUID), anything else is no identifier. */
export function cleanContentId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\0+$/, '').trim().toUpperCase();
  return /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(text) ? text : null;
}

const APPLE_MAKER_NOTE = 'Apple iOS\0';
/** The Apple maker note's tag for the content identifier (ExifTool's Apple tags: 0x0011, ContentIdentifier). */
const CONTENT_IDENTIFIER_TAG = 0x0011;

/**
 * The content identifier in an Apple maker note: "Apple iOS\0", a version (2 bytes), a byte order ("MM" or "II"),
 * then an IFD whose offsets count from the note's start. Anything malformed gives null.
 */
export function appleContentId(note: Uint8Array | undefined): string | null {
  if (!note || note.byteLength < 16) return null;
  const view = new DataView(note.buffer, note.byteOffset, note.byteLength);
  if (Buffer.from(note.subarray(0, 10)).toString('latin1') !== APPLE_MAKER_NOTE) return null;
  const order = Buffer.from(note.subarray(12, 14)).toString('latin1');
  if (order !== 'MM' && order !== 'II') return null;
  const little = order === 'II';
  const entries = view.getUint16(14, little);
  for (let i = 0; i < entries; i++) {
    const at = 16 + i * 12;
    if (at + 12 > note.byteLength) return null;
    if (view.getUint16(at, little) !== CONTENT_IDENTIFIER_TAG) continue;
    const type = view.getUint16(at + 2, little);
    const count = view.getUint32(at + 4, little);
    // An ASCII string (type 2): inline when it fits in 4 bytes, else at an offset from the note's start.
    if (type !== 2 || count > 64) return null;
    const start = count <= 4 ? at + 8 : view.getUint32(at + 8, little);
    if (start + count > note.byteLength) return null;
    return cleanContentId(Buffer.from(note.subarray(start, start + count)).toString('latin1'));
  }
  return null;
}

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
      makerNote: true,
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
    contentId: tags.makerNote instanceof Uint8Array ? appleContentId(tags.makerNote) : null,
  };
}
