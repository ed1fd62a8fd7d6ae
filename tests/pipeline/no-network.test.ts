import { createRequire } from 'node:module';
import type * as Dns from 'node:dns';
import type * as Net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runStateSchema } from '../../src/schemas/run.js';
import { FFMPEG_BUILDS } from '../helpers/ffmpeg-builds.js';
import { createProjectOverHttp } from '../helpers/api.js';
import { guardNetwork, type NetworkGuard } from '../helpers/no-network.js';
import { makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const require = createRequire(import.meta.url);
const net = require('node:net') as typeof Net;
const dns = require('node:dns') as typeof Dns;

const server = useLocalServer();
let guard: NetworkGuard | null = null;
afterEach(() => {
  guard?.restore();
  guard = null;
});

describe('the network guard', () => {
  it('refuses and records connections, fetches and lookups beyond loopback, and lets loopback through', async () => {
    const reached: string[] = [];
    const real = { connect: net.Socket.prototype.connect, lookup: dns.lookup, promisesLookup: dns.promises.lookup };
    // Under the guard, stand-ins that record instead of connecting: a broken guard reaches these, never the network.
    net.Socket.prototype.connect = function (this: Net.Socket, ...args: unknown[]) {
      reached.push(`connect ${JSON.stringify(args)}`);
      return this;
    } as typeof net.Socket.prototype.connect;
    dns.lookup = ((hostname: string) => reached.push(`lookup ${hostname}`)) as unknown as typeof dns.lookup;
    dns.promises.lookup = (async (hostname: string) => {
      reached.push(`lookup ${hostname}`);
      return { address: '127.0.0.1', family: 4 };
    }) as typeof dns.promises.lookup;
    try {
      guard = guardNetwork();
      const refusals: unknown[] = [];
      const socket = new net.Socket().on('error', (error) => refusals.push(error));
      socket.connect(443, '203.0.113.5');
      new net.Socket().on('error', (error) => refusals.push(error)).connect({ host: 'example.com', port: 80 });
      dns.lookup('example.org', (error) => refusals.push(error));
      await dns.promises.lookup('example.net').catch((error: unknown) => refusals.push(error));
      await fetch('http://198.51.100.7/', { signal: AbortSignal.timeout(5000) }).catch((e: unknown) =>
        refusals.push(e),
      );
      new net.Socket().on('error', () => undefined).connect(9, '127.0.0.1');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(guard.attempts).toEqual([
        'connect 203.0.113.5:443',
        'connect example.com:80',
        'lookup example.org',
        'lookup example.net',
        'connect 198.51.100.7:80',
      ]);
      expect(refusals).toHaveLength(5);
      // Only the loopback connection went on, to the stand-in.
      expect(reached).toHaveLength(1);
      expect(reached[0]).toContain('127.0.0.1');
    } finally {
      guard?.restore();
      guard = null;
      Object.assign(net.Socket.prototype, { connect: real.connect });
      dns.lookup = real.lookup;
      dns.promises.lookup = real.promisesLookup;
    }
  });
});

/** EXIF degrees, minutes, seconds. */
const dms = (value: number): [number, number, number] => {
  const degrees = Math.floor(value);
  const minutes = Math.floor((value - degrees) * 60);
  return [degrees, minutes, Math.round(((value - degrees) * 60 - minutes) * 60)];
};

describe('a whole run', () => {
  it('with photos in two places (so a map shot) sends nothing beyond loopback and starts only ffmpeg', async () => {
    // The run is rendered in this process (where the guard is), not in a render process of its own.
    vi.stubEnv('MALLOC_ARENA_MAX', '2');
    vi.stubEnv('FFMPEG_PATH', FFMPEG_BUILDS.debian);
    const { api } = await createProjectOverHttp(server.current.url);
    const places = [
      [60.3929, 5.3241],
      [60.3931, 5.3245],
      [62.4722, 6.1495],
      [62.4726, 6.1499],
    ];
    for (const [i, [lat, lon]] of places.entries()) {
      const bytes = await makePhoto('jpeg', {
        width: 800,
        height: 600,
        seed: i,
        takenAt: `2024:06:1${i} 10:00:00`,
        offset: '+02:00',
        gps: { lat: dms(lat!), latRef: 'N', lon: dms(lon!), lonRef: 'E' },
      });
      const uploaded = await fetch(api('/media'), {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: bytes,
      });
      expect(uploaded.status).toBe(201);
    }
    guard = guardNetwork();
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 10, resolution: '360p' }),
    });
    expect(started.status).toBe(202);
    const { links } = (await started.json()) as { links: { self: string } };
    let state = runStateSchema.parse(await (await fetch(links.self)).json());
    for (let i = 0; i < 600 && !['complete', 'failed', 'cancelled'].includes(state.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      state = runStateSchema.parse(await (await fetch(links.self)).json());
    }
    expect(state.status, JSON.stringify(state)).toBe('complete');
    const map = state.storyboard!.shots.find((shot) => shot.kind === 'map');
    expect(map?.map?.places.map((place) => place.name)).toEqual(['Bergen', 'Ålesund']);
    expect(guard.attempts).toEqual([]);
    // The guard was in the path: the run's own traffic (to the local Blobs server) went through it.
    expect(guard.loopback).toBeGreaterThan(3);
    expect(guard.programs.length).toBeGreaterThan(0);
    expect(new Set(guard.programs)).toEqual(new Set([FFMPEG_BUILDS.debian]));
  }, 600_000);
});
