import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { GAZETTEER_PATH } from '../src/pipeline/agents/director/gazetteer.js';
import { fmt } from './stats.js';

/**
 * The offline geocoder's cost, measured in a fresh process so the figures are
 * the gazetteer's alone: first-lookup time, memory, lookups per second (in
 * towns, and anywhere on Earth incl. the sea), against a floor measured in
 * the same run (a bare nearest-neighbour query of the same index), and the
 * bytes it adds to the render function. For comparison, the cost of reading
 * and indexing GeoNames' table itself, as the gazetteer did before its data
 * was made ahead of time (`npm run build:gazetteer`).
 */

interface Probe {
  gazetteerMs: number;
  firstLookupMs: number;
  landMs: number;
  rssBeforeMb: number;
  rssGazetteerMb: number;
  rssLoadedMb: number;
  rssAfterMb: number;
  places: number;
  townLookupUs: number;
  globalLookupUs: number;
  floorUs: number;
  globalTownShare: number;
}

interface TableProbe {
  tableMs: number;
  rssBeforeMb: number;
  rssLoadedMb: number;
}

const require = createRequire(import.meta.url);
const mb = (bytes: number) => bytes / 1e6;

/** Points near towns: Europe to Patagonia to Japan, a photo's usual case. */
const TOWNS: Array<[number, number]> = [
  [47.5622, 13.6493],
  [48.8584, 2.2945],
  [40.758, -73.9855],
  [-54.8019, -68.303],
  [35.0116, 135.7681],
  [-33.8568, 151.2153],
  [19.3583, 98.4402],
  [-13.2583, -72.2636],
];

async function probe(): Promise<Probe> {
  const rssBefore = process.memoryUsage().rss;
  const { gazetteer } = await import('../src/pipeline/agents/director/gazetteer.js');
  const { lookupPlace } = await import('../src/pipeline/agents/director/places.js');
  let started = performance.now();
  const places = gazetteer();
  const gazetteerMs = performance.now() - started;
  const rssGazetteer = process.memoryUsage().rss;
  started = performance.now();
  lookupPlace({ latitude: 47.5622, longitude: 13.6493 });
  const firstLookupMs = performance.now() - started;
  started = performance.now();
  lookupPlace({ latitude: 38.7, longitude: -9.8 }); // off Lisbon, inside Portugal's generalised border: reads the land map
  const landMs = performance.now() - started;
  const rssLoaded = process.memoryUsage().rss;

  const nearTowns = Array.from({ length: 20_000 }, (_, i) => {
    const [latitude, longitude] = TOWNS[i % TOWNS.length]!;
    return {
      latitude: latitude + (((i * 37) % 200) - 100) / 2000,
      longitude: longitude + (((i * 91) % 200) - 100) / 2000,
    };
  });
  const anywhere = Array.from({ length: 20_000 }, (_, i) => ({
    latitude: -85 + ((i * 7919) % 17000) / 100,
    longitude: -180 + ((i * 104729) % 36000) / 100,
  }));
  const perLookupUs = (
    points: Array<{ latitude: number; longitude: number }>,
    lookup: (p: { latitude: number; longitude: number }) => unknown,
  ) => {
    const t = performance.now();
    for (const point of points) lookup(point);
    return ((performance.now() - t) / points.length) * 1000;
  };
  const floorUs = perLookupUs(nearTowns, (point) => places.near(point, 1, 40));
  const townLookupUs = perLookupUs(nearTowns, lookupPlace);
  const globalLookupUs = perLookupUs(anywhere, lookupPlace);
  const globalTownShare = anywhere.filter((point) => lookupPlace(point)?.town).length / anywhere.length;
  return {
    gazetteerMs,
    firstLookupMs,
    landMs,
    rssBeforeMb: mb(rssBefore),
    rssGazetteerMb: mb(rssGazetteer),
    rssLoadedMb: mb(rssLoaded),
    rssAfterMb: mb(process.memoryUsage().rss),
    places: places.size,
    townLookupUs,
    globalLookupUs,
    floorUs,
    globalTownShare,
  };
}

/** Reading GeoNames' table and indexing it at run time, as the gazetteer did before gazetteer.bin. */
async function probeTable(): Promise<TableProbe> {
  const rssBefore = process.memoryUsage().rss;
  const { indexGeoNames, readGeoNames } = await import('../scripts/gazetteer/geonames.js');
  const started = performance.now();
  indexGeoNames(readGeoNames());
  return {
    tableMs: performance.now() - started,
    rssBeforeMb: mb(rssBefore),
    rssLoadedMb: mb(process.memoryUsage().rss),
  };
}

/** The data files the render function ships for the geocoder (listed in netlify.toml), and their zipped size. */
function shippedFiles(): Array<{ file: string; bytes: number; zipped: number }> {
  const files = [
    join(import.meta.dirname, '..', GAZETTEER_PATH),
    require.resolve('world-atlas/land-50m.json'),
    require.resolve('@rapideditor/country-coder'), // bundled into the function, borders included
  ];
  return files.map((file) => ({
    file: file.includes('node_modules/') ? file.slice(file.indexOf('node_modules/') + 13) : GAZETTEER_PATH,
    bytes: statSync(file).size,
    zipped: deflateSync(readFileSync(file)).length,
  }));
}

export async function benchPlaces(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const inFreshProcess = (mode: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', self, mode], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const figures = JSON.parse(inFreshProcess('probe')) as Probe;
  const table = JSON.parse(inFreshProcess('probe-table')) as TableProbe;
  const files = shippedFiles();
  console.log(
    '\n## Places: offline reverse geocoding (GeoNames cities500 + country-coder borders + Natural Earth land), in a fresh process',
  );
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| places indexed (≥ 500 people or an administrative seat) | ${figures.places} |`);
  console.log(
    `| reading the gazetteer (${GAZETTEER_PATH}) | ${fmt(figures.gazetteerMs, 0)} ms, RSS +${fmt(figures.rssGazetteerMb - figures.rssBeforeMb, 0)} MB; before it (GeoNames' table read and indexed at run time): ${fmt(table.tableMs, 0)} ms, RSS +${fmt(table.rssLoadedMb - table.rssBeforeMb, 0)} MB |`,
  );
  console.log(
    `| first lookup after that (borders) | ${fmt(figures.firstLookupMs, 0)} ms; first one at sea (land map): ${fmt(figures.landMs, 0)} ms |`,
  );
  console.log(
    `| RSS before → loaded → after 60k lookups | ${fmt(figures.rssBeforeMb, 0)} → ${fmt(figures.rssLoadedMb, 0)} → ${fmt(figures.rssAfterMb, 0)} MB (+${fmt(figures.rssAfterMb - figures.rssBeforeMb, 0)} MB) |`,
  );
  console.log(
    `| lookup near towns | ${fmt(figures.townLookupUs, 1)} µs (${fmt(1e6 / figures.townLookupUs, 0)} per second); ${fmt(figures.townLookupUs / figures.floorUs, 1)}× a bare nearest-neighbour query (${fmt(figures.floorUs, 1)} µs) |`,
  );
  console.log(
    `| lookup anywhere on Earth (${fmt(figures.globalTownShare * 100, 0)} % near a town, the rest sea or wilderness) | ${fmt(figures.globalLookupUs, 1)} µs (${fmt(1e6 / figures.globalLookupUs, 0)} per second) |`,
  );
  for (const { file, bytes, zipped } of files)
    console.log(`| shipped: ${file} | ${fmt(mb(bytes), 2)} MB (${fmt(mb(zipped), 2)} MB deflated) |`);
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const zipped = files.reduce((sum, f) => sum + f.zipped, 0);
  console.log(`| shipped in all | ${fmt(mb(total), 1)} MB unzipped, ${fmt(mb(zipped), 1)} MB zipped |`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'probe') console.log(JSON.stringify(await probe()));
  if (process.argv[2] === 'probe-table') console.log(JSON.stringify(await probeTable()));
}
