import { feature, iso1A2Code } from '@rapideditor/country-coder';
import { gazetteer, type Town } from './gazetteer.js';
import { isOnLand } from './land.js';
import { seaName } from './seas.js';

/**
 * Offline reverse geocoding for any GPS on Earth: the town a photo was taken
 * in (GeoNames, down to villages of 500 people), else the region or country
 * it is in (country borders from country-coder, so a point near a border is
 * attributed to the side it is on), else the sea or ocean it is on. No
 * network at run time; the data is read once per process, on first use.
 */

export interface Place {
  /** The town, or '' when the photo is named by a wider area. */
  town: string;
  /** The first-level region (state, province, Land) the town or point is in, when known. */
  region?: string;
  /** What names the photo when no town does: a region far from towns, or the sea. */
  area?: string;
  /** The country's English name; '' at sea. */
  country: string;
  countryCode: string;
  /** True on open water, far from any town: `area` is then the sea or ocean. */
  atSea?: boolean;
  population: number;
  km: number;
}

type Point = { latitude: number; longitude: number };

/** Great-circle distance in kilometres. */
export function distanceKm(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Nearest places weighed against each other; farther than this, no town names a photo. */
const CANDIDATES = 16;
const SEARCH_KM = 40;
/** Any town names a photo this near it; a city, up to three times its reach (see `reachKm`). */
const TOWN_NEAR_KM = 25;
/** Country borders are generalised: a town across one counts only this near. */
const ACROSS_BORDER_KM = 3;
/** On land far from towns, the region that the nearest towns this near agree on names the photo. */
const REGION_KM = 150;
const REGION_TOWNS = 5;
/** Land outside every border polygon takes the country of the nearest town this near. */
const NEAREST_COUNTRY_KM = 1000;

/** Readable names where the standard English ones read like a form ("Congo - Kinshasa", "Hong Kong SAR China"). */
const COUNTRY_NAMES: Record<string, string> = {
  CD: 'Democratic Republic of the Congo',
  CG: 'Republic of the Congo',
  HK: 'Hong Kong',
  MO: 'Macao',
  MM: 'Myanmar',
  PS: 'Palestine',
  // Jan Mayen has no town; every photo GeoNames files under SJ is on Svalbard.
  SJ: 'Svalbard',
};

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(code: string): string {
  const known = COUNTRY_NAMES[code];
  if (known) return known;
  try {
    return (countryNames.of(code) ?? code).replaceAll(' & ', ' and ');
  } catch {
    return code;
  }
}

/**
 * A town's reach grows with its size: a photo 4 km from the centre of Paris is
 * in Paris, not in Neuilly 2.5 km away; 4 km from a village it is elsewhere.
 */
const reachKm = (population: number) => 1 + 0.008 * Math.sqrt(Math.max(0, population));
const nearEnoughKm = (town: Town) => Math.min(SEARCH_KM, Math.max(TOWN_NEAR_KM, 3 * reachKm(town.population)));

/**
 * Where the borders name the country in control and GeoNames (whose towns name
 * the photos) the one recognised, GeoNames is followed, so a town and the
 * hills around it are said to be in the same country.
 */
const RECOGNISED: Record<string, string> = { Q7835: 'UA', Q23681: 'CY' }; // Crimea, Northern Cyprus
/** Morocco's border with Western Sahara is the 27°40' N parallel. */
const WESTERN_SAHARA_NORTH = 27.667;

/** The country codes a point is in, by border polygons: the territory (SJ, GL, PR) and its country (NO, DK, US). */
function countryCodesAt(point: Point): string[] {
  const at: [number, number] = [point.longitude, point.latitude];
  const recognised = RECOGNISED[feature(at, { level: 'subterritory' })?.properties.id ?? ''];
  if (recognised) return [recognised];
  const codes = [iso1A2Code(at, { level: 'territory' }), iso1A2Code(at)].filter(
    (code): code is string => code !== null,
  );
  return codes.includes('MA') && point.latitude < WESTERN_SAHARA_NORTH ? ['EH'] : codes;
}

/**
 * The town whose reach the point is deepest inside, among those near enough:
 * a town in the country the point is in first; one across the border only
 * when none is, and only very near (borders here are generalised).
 */
function bestTown(point: Point, codes: string[]): { town: Town; km: number } | null {
  let home: { town: Town; km: number; score: number } | null = null;
  let across: { town: Town; km: number; score: number } | null = null;
  for (const town of gazetteer().near(point, CANDIDATES, SEARCH_KM)) {
    const km = distanceKm(point, town);
    const sameCountry = codes.length === 0 || codes.includes(town.countryCode);
    if (km > (sameCountry ? nearEnoughKm(town) : ACROSS_BORDER_KM)) continue;
    const candidate = { town, km, score: km / reachKm(town.population) };
    if (sameCountry && (!home || candidate.score < home.score)) home = candidate;
    if (!sameCountry && (!across || candidate.score < across.score)) across = candidate;
  }
  return home ?? across;
}

/** "Northern", "Central": a compass word names a region on paper, not a place a person would say. */
const COMPASS_ONLY =
  /^(north|south|east|west|central|northern|southern|eastern|western|north-?(east|west)(ern)?|south-?(east|west)(ern)?)$/i;

/**
 * On land far from towns: the region the nearest towns of the same country
 * agree on. Regions are known only through towns, so where the nearest towns
 * lie in different regions (Death Valley, between California and Nevada) no
 * region is said rather than a wrong one.
 */
function regionAround(point: Point, codes: string[]): string {
  const towns = gazetteer().near(point, REGION_TOWNS, REGION_KM, codes);
  const region = towns[0]?.region ?? '';
  return region && towns.every((town) => town.region === region) && !COMPASS_ONLY.test(region) ? region : '';
}

/** The place a photo was taken; null for coordinates that are not on Earth (or land no border nor town knows). */
export function lookupPlace(point: Point): Place | null {
  if (!Number.isFinite(point.latitude) || !Number.isFinite(point.longitude) || Math.abs(point.latitude) > 90)
    return null;
  const at = { latitude: point.latitude, longitude: ((((point.longitude + 180) % 360) + 360) % 360) - 180 };
  const codes = countryCodesAt(at);
  const found = bestTown(at, codes);
  if (found) {
    const { town, km } = found;
    return {
      town: town.name,
      region: town.region,
      country: countryName(town.countryCode),
      countryCode: town.countryCode,
      population: town.population,
      km: Math.round(km * 10) / 10,
    };
  }
  // Antarctica's border is the whole continent with its ice shelves and the water around: it names itself.
  const onLand = codes.includes('AQ') || isOnLand(at);
  if (!onLand) {
    const sea = seaName(at);
    if (sea) return { town: '', area: sea, country: '', countryCode: '', atSea: true, population: 0, km: Infinity };
  }
  // Land outside every border polygon (Bir Tawil) takes the country of the nearest town.
  const code = codes[0] ?? gazetteer().near(at, 1, onLand ? NEAREST_COUNTRY_KM : REGION_KM)[0]?.countryCode;
  if (!code)
    return onLand
      ? null
      : { town: '', area: 'At sea', country: '', countryCode: '', atSea: true, population: 0, km: Infinity };
  const region = code === 'AQ' ? '' : regionAround(at, codes.length > 0 ? codes : [code]);
  return { town: '', region, area: region, country: countryName(code), countryCode: code, population: 0, km: Infinity };
}

/**
 * What a scene through several places is named by (a road through ten
 * villages): the region they all lie in, else their country; null when they
 * span countries or the sea.
 */
export function sharedArea(places: Place[]): Place | null {
  const first = places[0];
  if (!first || places.some((place) => place.atSea || place.countryCode !== first.countryCode)) return null;
  const region = first.region && places.every((place) => place.region === first.region) ? first.region : '';
  return {
    town: '',
    region,
    area: region,
    country: first.country,
    countryCode: first.countryCode,
    population: 0,
    km: Infinity,
  };
}

/** "Hallstatt, Austria"; "Upper Austria, Austria" far from towns; "Antarctica"; "Mediterranean Sea"; "Singapore". */
export function placeLabel(place: Place): string {
  // A city-state is said once: "Singapore", "Vatican City".
  if (place.town) return place.country && place.country !== place.town ? `${place.town}, ${place.country}` : place.town;
  if (place.area && place.country && place.area !== place.country) return `${place.area}, ${place.country}`;
  return place.area || place.country;
}

/** The label of a photo's place, or null for coordinates that are not on Earth. */
export function nearestPlace(point: Point): string | null {
  const place = lookupPlace(point);
  return place ? placeLabel(place) : null;
}
