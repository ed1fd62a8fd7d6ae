import { exifDateToIso } from './exif.js';

/** ISO 6709 ("+48.8584+002.2945+035.000/") as written by phones in `location` or the QuickTime key. */
export function parseIso6709(
  value: string | undefined,
): { latitude: number; longitude: number; altitude: number | null } | null {
  const match = /^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?\/?$/.exec(
    value?.trim() ?? '',
  );
  if (!match) return null;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude, altitude: match[3] === undefined ? null : Number(match[3]) };
}

/**
 * When the clip was taken: Apple's `creationdate` carries the local time and its offset; else the container's
 * `creation_time`, which is UTC. A zero date (an unset clock) is no date.
 */
export function clipTakenAt(tags: Record<string, string>): string | null {
  const apple = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-]\d{2}):?(\d{2})$/.exec(
    tags['com.apple.quicktime.creationdate'] ?? '',
  );
  if (apple) {
    const [, y, mo, d, h, mi, s, oh, om] = apple;
    return exifDateToIso(`${y}:${mo}:${d} ${h}:${mi}:${s}`, `${oh}:${om}`);
  }
  const utc = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(tags['creation_time'] ?? '');
  if (!utc || utc[1]! < '1971') return null;
  const [, y, mo, d, h, mi, s] = utc;
  return exifDateToIso(`${y}:${mo}:${d} ${h}:${mi}:${s}`, '+00:00');
}
