import { describe, expect, it } from 'vitest';
import { planStoryboard } from '../../src/pipeline/agents/director/storyboard-plan.js';
import type { Media } from '../../src/schemas/media.js';
import { storyboardSchema, type StartRunBody, type Storyboard } from '../../src/schemas/run.js';
import { mediaFor } from '../helpers/render.js';

const style = { mood: 'calm', musicStyle: 'acoustic', source: 'default' as const, reason: 'test' };
const BERGEN = { latitude: 60.3929, longitude: 5.3241 };
const ALESUND = { latitude: 62.4722, longitude: 6.1495 };

/** Photos a day apart: the first `atBergen` in Bergen, the rest in Ålesund. */
function trip(count: number, atBergen: number): Media[] {
  return Array.from({ length: count }, (_, i) => ({
    ...mediaFor(`m_${i}`, 1200, 800),
    takenAt: `2024-06-${String(10 + i).padStart(2, '0')}T10:00:00`,
    gps: { ...(i < atBergen ? BERGEN : ALESUND), altitude: null },
  }));
}

const plan = (media: Media[], request: StartRunBody = {}) =>
  planStoryboard({ runId: 'r_map', media, request: { durationSec: 24, ...request }, style });

const mapShots = (storyboard: Storyboard) => storyboard.shots.filter((shot) => shot.kind === 'map');

describe('the map shot', () => {
  it('with photos in two places: one map shot, before the first photo of the second place, on the beat, named aloud', () => {
    const storyboard = plan(trip(6, 3));
    const [map] = mapShots(storyboard);
    expect(mapShots(storyboard)).toHaveLength(1);
    expect(map!.mediaId).toBeUndefined();
    expect(map!.map!.places.map((place) => place.name)).toEqual(['Bergen', 'Ålesund']);
    expect(map!.map!.places[0]).toMatchObject({ lat: BERGEN.latitude, lon: BERGEN.longitude });
    const { west, south, east, north } = map!.map!.bounds;
    for (const place of map!.map!.places) {
      expect(place.lon).toBeGreaterThan(west);
      expect(place.lon).toBeLessThan(east);
      expect(place.lat).toBeGreaterThan(south);
      expect(place.lat).toBeLessThan(north);
    }
    // Where the trip moves on: after the Bergen photos, before the first of Ålesund.
    const index = storyboard.shots.indexOf(map!);
    expect(storyboard.shots[index - 1]!.place).toMatch(/^Bergen/);
    expect(storyboard.shots[index + 1]!.place).toMatch(/^Ålesund/);
    // Every photo is still shown, and the shots still fill the video, cut on the beat.
    expect(storyboard.shots.filter((shot) => shot.kind === 'photo')).toHaveLength(6);
    const beat = 60 / storyboard.music!.bpm;
    for (const shot of storyboard.shots.slice(1)) {
      const beats = (shot.startSec - storyboard.music!.beatOffsetSec) / beat;
      expect(Math.abs(beats - Math.round(beats)), `cut at ${shot.startSec}`).toBeLessThan(1e-3);
    }
    const last = storyboard.shots.at(-1)!;
    expect(last.startSec + last.durationSec).toBeCloseTo(24, 2);
    // The route is said while the map shows, and no other line is.
    const line = storyboard.narration.segments!.find((segment) => segment.text === 'From Bergen to Ålesund.');
    expect(line, JSON.stringify(storyboard.narration.segments)).toBeDefined();
    expect(line!.startSec).toBeGreaterThanOrEqual(map!.startSec);
    expect(line!.startSec).toBeLessThan(map!.startSec + map!.durationSec);
    // The stored storyboard parses back as it is.
    expect(storyboardSchema.parse(JSON.parse(JSON.stringify(storyboard)))).toEqual(storyboard);
  });

  it('through three places: all on the map, the route said as richly as the time on the map allows', () => {
    const towns = [
      { latitude: 46.3683, longitude: 14.1146 },
      { latitude: 46.5934, longitude: 7.9077 },
      { latitude: 47.5622, longitude: 13.6493 },
    ];
    const media = towns.flatMap((gps, t) =>
      [0, 1].map((k) => ({
        ...mediaFor(`m_${t}${k}`, 1200, 800),
        takenAt: `2024-05-0${1 + 2 * t}T1${k}:00:00`,
        gps: { ...gps, altitude: null },
      })),
    );
    for (const durationSec of [24, 40]) {
      const storyboard = plan(media, { durationSec });
      const [map] = mapShots(storyboard);
      expect(map!.map!.places.map((place) => place.name)).toEqual(['Bled', 'Lauterbrunnen', 'Hallstatt']);
      const line = storyboard.narration.segments!.find((segment) => segment.text.startsWith('From Bled to Hallstatt'));
      expect(line, JSON.stringify(storyboard.narration.segments)).toBeDefined();
      expect(line!.startSec).toBeGreaterThanOrEqual(map!.startSec);
      expect(line!.startSec).toBeLessThan(map!.startSec + map!.durationSec);
    }
  });

  it('none with photos in one place, none when switched off, none without GPS', () => {
    expect(mapShots(plan(trip(6, 6)))).toEqual([]);
    expect(mapShots(plan(trip(6, 3), { map: false }))).toEqual([]);
    expect(mapShots(plan(trip(6, 3).map((item) => ({ ...item, gps: null }))))).toEqual([]);
    // Switched off, the storyboard is what it was before maps: every slot a photo.
    expect(plan(trip(6, 3), { map: false }).shots.every((shot) => shot.kind === 'photo' && shot.mediaId)).toBe(true);
  });

  it('a script the person wrote is said as written, the map still shown', () => {
    const storyboard = plan(trip(6, 3), { narration: 'We drove north along the coast.' });
    expect(mapShots(storyboard)).toHaveLength(1);
    expect(storyboard.narration.script).toBe('We drove north along the coast.');
  });
});

describe('shot kinds in stored storyboards', () => {
  it('a shot stored before kinds existed is a photo; a map shot without its map, or a photo without its id, is refused', () => {
    const stored = plan(trip(3, 3), { map: false });
    const old = JSON.parse(JSON.stringify(stored)) as { shots: Array<Record<string, unknown>> };
    for (const shot of old.shots) delete shot.kind;
    expect(storyboardSchema.parse(old).shots.every((shot) => shot.kind === 'photo')).toBe(true);
    const noMap = { ...old, shots: [{ ...old.shots[0], kind: 'map', mediaId: undefined }] };
    expect(storyboardSchema.safeParse(noMap).error?.issues[0]).toMatchObject({ path: ['shots', 0, 'map'] });
    const noId = { ...old, shots: [{ ...old.shots[0], mediaId: undefined }] };
    expect(storyboardSchema.safeParse(noId).error?.issues[0]).toMatchObject({ path: ['shots', 0, 'mediaId'] });
  });
});
