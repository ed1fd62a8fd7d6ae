import type { RouteLines } from './languages/phrasebook.js';
import type { Media } from '../../../schemas/media.js';
import type { NarrationSegment, Shot, ShotMap, StartRunBody } from '../../../schemas/run.js';
import { speakingSec } from './narration.js';
import type { Place } from './places.js';

/**
 * The route a map shot draws: the places the trip went through, in the order
 * its photos show them, from the photos' own GPS and the offline gazetteer.
 * Nothing here leaves the server: the renderer draws the map from bundled
 * land outlines.
 */

export interface RouteStop {
  name: string;
  lat: number;
  lon: number;
  /** Index (into the photos given) of the first photo taken there. */
  firstPhoto: number;
}

/** What a map calls a place: its town, else its area or country. */
const stopName = (place: Place) => place.town || place.area || place.country;

/** One stop per run of photos in the same place; photos without GPS or place are passed over. */
export function routeStops(items: Media[], places: Array<Place | null>): RouteStop[] {
  const stops: RouteStop[] = [];
  items.forEach((item, i) => {
    const place = places[i];
    if (!item.gps || !place) return;
    const name = stopName(place);
    if (!name || stops.at(-1)?.name === name) return;
    stops.push({ name, lat: item.gps.latitude, lon: item.gps.longitude, firstPhoto: i });
  });
  return stops;
}

/** A map is drawn unless switched off, when the photos were taken in two or more places. */
export function wantsMap(request: Pick<StartRunBody, 'map'>, stops: RouteStop[]): boolean {
  return request.map !== false && new Set(stops.map((stop) => stop.name)).size >= 2;
}

/** The area kept in view: the stops with a quarter of their span around them, and at least this much (degrees of latitude). */
const MIN_SPAN_DEGREES = 0.6;
const PADDING = 0.25;

export function routeBounds(stops: RouteStop[]): ShotMap['bounds'] {
  const lats = stops.map((stop) => stop.lat);
  const lons = stops.map((stop) => stop.lon);
  const [south, north, west, east] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const midLat = (south + north) / 2;
  const latPad = Math.max((north - south) * PADDING, (MIN_SPAN_DEGREES - (north - south)) / 2);
  const minLonSpan = MIN_SPAN_DEGREES / Math.max(0.1, Math.cos((midLat * Math.PI) / 180));
  const lonPad = Math.max((east - west) * PADDING, (minLonSpan - (east - west)) / 2);
  const round = (value: number) => Math.round(value * 1e4) / 1e4;
  return {
    west: round(Math.max(-180, west - lonPad)),
    south: round(Math.max(-85, south - latPad)),
    east: round(Math.min(180, east + lonPad)),
    north: round(Math.min(85, north + latPad)),
  };
}

/** At most this many stops are drawn (and named); a longer trip keeps its first, last and evenly spaced others. */
const MAX_STOPS = 12;

/**
 * The map shot, shown where the trip first moves to a new place: the first
 * place is established by its photos (and the title card over them), then the
 * map shows where the journey goes before its photos do. It opens the part of
 * the trip that follows, so it belongs to the next photo's scene.
 */
export function mapShot(stops: RouteStop[], timing: Pick<Shot, 'startSec' | 'durationSec' | 'scene'>): Shot {
  const shown =
    stops.length <= MAX_STOPS
      ? stops
      : Array.from({ length: MAX_STOPS }, (_, i) => stops[Math.round((i * (stops.length - 1)) / (MAX_STOPS - 1))]!);
  return {
    kind: 'map',
    ...timing,
    // The renderer zooms gently toward the route (a motion like a photo's, as smooth).
    motion: 'zoom-in',
    caption: null,
    place: null,
    framing: 'crop',
    focus: null,
    map: {
      places: shown.map(({ name, lat, lon }) => ({ name, lat, lon })),
      bounds: routeBounds(shown),
    },
  };
}

/** What may be said of the route, the richest first: "From Bergen to Ålesund, by Geiranger.", "From Bergen to Ålesund." */
export function routeLines(stops: RouteStop[], say: RouteLines): string[] {
  const first = stops[0]!.name;
  const last = stops.at(-1)!.name;
  if (first === last) return [say.roundTrip(first)];
  const plain = say.fromTo(first, last);
  return stops.length === 3 ? [say.fromToBy(first, last, stops[1]!.name), plain] : [plain];
}

const LEAD_SEC = 0.35;
const TAIL_SEC = 0.25;

/**
 * The narration with the route said while the map shows, in the richest
 * wording that fits between the line before and the one after (the scene
 * before the map ends where the map begins, so its line is done by then);
 * else the narration as it was.
 */
export function withRouteLine(
  segments: NarrationSegment[],
  map: Pick<Shot, 'startSec' | 'durationSec'>,
  wordings: string[],
): NarrationSegment[] {
  const startSec = Math.round((map.startSec + LEAD_SEC) * 100) / 100;
  const before = segments.filter((segment) => segment.startSec < startSec);
  const after = segments.filter((segment) => segment.startSec >= startSec);
  const previous = before.at(-1);
  if (previous && previous.startSec + speakingSec(previous.text) > startSec) return segments;
  const text = wordings.find((wording) => {
    const endSec = startSec + speakingSec(wording);
    return endSec <= map.startSec + map.durationSec - TAIL_SEC && (!after[0] || endSec + TAIL_SEC <= after[0].startSec);
  });
  return text ? [...before, { startSec, text }, ...after] : segments;
}
