import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { around } from 'geokdbush';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGazetteer } from '../../../scripts/build-gazetteer.js';
import { indexGeoNames, readGeoNames, type SourceColumns } from '../../../scripts/gazetteer/geonames.js';
import { decodeGazetteer, GazetteerFileError } from '../../../src/pipeline/agents/director/gazetteer-file.js';
import { GAZETTEER_PATH, gazetteer, type Town } from '../../../src/pipeline/agents/director/gazetteer.js';
import { seededRandom } from '../../../src/random.js';

const REPO = join(import.meta.dirname, '../../..');

/** The gazetteer as it was before the file: GeoNames' table read at run time, indexed in its order. */
function fromTable(
  source: SourceColumns,
): (point: { latitude: number; longitude: number }, count: number, maxKm: number, countries?: string[]) => Town[] {
  const index = indexGeoNames(source);
  const town = (id: number): Town => ({
    name: source.names[id]!,
    latitude: source.latitudes[id]!,
    longitude: source.longitudes[id]!,
    countryCode: source.countryCodes[id]!,
    region: source.regions[id]!,
    population: source.populations[id]!,
  });
  return (point, count, maxKm, countries) =>
    around(
      index,
      point.longitude,
      point.latitude,
      count,
      maxKm,
      countries ? (id) => countries.includes(source.countryCodes[id]!) : undefined,
    ).map(town);
}

let source: SourceColumns;
beforeAll(() => {
  source = readGeoNames();
});

describe('the gazetteer file', () => {
  it('is what `npm run build:gazetteer` makes from the packages installed', () => {
    const committed = readFileSync(join(REPO, GAZETTEER_PATH));
    expect(
      Buffer.compare(Buffer.from(buildGazetteer()), committed),
      'gazetteer.bin is stale: run `npm run build:gazetteer`',
    ).toBe(0);
  });

  it('holds every place of the table, each with the same fields', () => {
    const places = gazetteer();
    expect(places.size).toBe(source.names.length);
    const order = indexGeoNames(source).ids;
    for (let i = 0; i < places.size; i++) {
      const id = order[i]!;
      const town = places.town(i);
      // One expect per place would take minutes: compare, and report only a mismatch.
      if (
        town.name !== source.names[id] ||
        !Object.is(town.latitude, source.latitudes[id]) ||
        !Object.is(town.longitude, source.longitudes[id]) ||
        town.countryCode !== source.countryCodes[id] ||
        town.region !== source.regions[id] ||
        town.population !== source.populations[id]
      )
        expect(town, `place ${i}`).toEqual({ name: source.names[id] });
    }
  });

  it('finds the same places, in the same order, as the table did for 4,000 random points', () => {
    const old = fromTable(source);
    const places = gazetteer();
    const random = seededRandom('gazetteer equivalence');
    let compared = 0;
    for (let n = 0; n < 4000; n++) {
      // Half anywhere on Earth (uniform on the sphere), half within ~30 km of a random place (where photos are taken).
      const near = source.names.length * random();
      const point =
        n % 2 === 0
          ? { latitude: (Math.asin(2 * random() - 1) * 180) / Math.PI, longitude: 360 * random() - 180 }
          : {
              latitude: source.latitudes[Math.floor(near)]! + (random() - 0.5) / 2,
              longitude: source.longitudes[Math.floor(near)]! + (random() - 0.5) / 2,
            };
      const nearest = old(point, 16, 40);
      expect(places.near(point, 16, 40), `${point.latitude},${point.longitude}`).toEqual(nearest);
      expect(places.near(point, 1, 1000)).toEqual(old(point, 1, 1000));
      const countries = [old(point, 1, 1000)[0]?.countryCode ?? 'FR'];
      expect(places.near(point, 5, 150, countries)).toEqual(old(point, 5, 150, countries));
      compared += nearest.length;
    }
    expect(compared).toBeGreaterThan(20_000); // the points near places did find places
  }, 180_000); // ~13 s on an idle machine: room for a busy one

  it('refuses a file that is not one, or is cut short', () => {
    const committed = readFileSync(join(REPO, GAZETTEER_PATH));
    expect(() => decodeGazetteer(new TextEncoder().encode('not a gazetteer'))).toThrow(GazetteerFileError);
    expect(() => decodeGazetteer(committed.subarray(0, committed.length / 2))).toThrow(GazetteerFileError);
  });
});
