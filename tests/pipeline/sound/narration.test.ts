import { describe, expect, it } from 'vitest';
import {
  narrateScenes,
  placeScript,
  speakingSec,
  type SceneTiming,
} from '../../../src/pipeline/agents/director/narration.js';
import type { Place } from '../../../src/pipeline/agents/director/places.js';

const place = (town: string, country = 'Portugal'): Place => ({
  town,
  country,
  countryCode: 'PT',
  population: 1000,
  km: 1,
});

function trip(length: number): SceneTiming[] {
  const stops: Array<[string, string, string]> = [
    ['2024-07-14T18:42:10', 'Lisbon', 'Portugal'],
    ['2024-07-15T10:31:02', 'Sintra', 'Portugal'],
    ['2024-07-15T16:12:37', 'Cascais', 'Portugal'],
    ['2024-07-17T19:20:18', 'Porto', 'Portugal'],
    ['2024-07-19T09:00:00', 'Ushuaia', 'Argentina'],
    ['2024-07-19T18:00:00', 'El Calafate', 'Argentina'],
  ];
  return stops.map(([startedAt, town, country], i) => ({
    index: i,
    startSec: (i * length) / stops.length,
    endSec: ((i + 1) * length) / stops.length,
    startedAt,
    place: place(town, country),
    shotCount: 2,
  }));
}

describe('narration as timed lines', () => {
  it.each([18, 30, 60])(
    'over %i s: each line starts in its scene, ends before the next, is whole sentences, and no wording repeats',
    (durationSec) => {
      const scenes = trip(durationSec);
      const segments = narrateScenes({
        theme: 'Two weeks away',
        hasExplicitTheme: true,
        scenes,
        durationSec,
        seed: 'r_test',
      });
      expect(segments.length).toBeGreaterThan(1);
      for (const [i, segment] of segments.entries()) {
        expect(segment.text).toMatch(/^[A-Z].*[.!?]$/);
        const end = segment.startSec + speakingSec(segment.text);
        expect(end).toBeLessThanOrEqual(segments[i + 1]?.startSec ?? durationSec);
        const named = scenes.find(
          (scene) => scene.place && segment.text.includes(scene.place.town) && !(i === 0 && scene.index > 0),
        );
        if (named) {
          expect(segment.startSec).toBeGreaterThanOrEqual(named.startSec);
          expect(end).toBeLessThanOrEqual(named.endSec);
        }
      }
      const openers = segments.slice(1).map((s) => s.text.split(/[ ,]/)[0]);
      openers.forEach(
        (word, i) =>
          i > 0 && expect(`${word} after ${openers[i - 1]}`).not.toBe(`${openers[i - 1]} after ${openers[i - 1]}`),
      );
      expect(segments.map((s) => s.text).join(' ')).not.toMatch(/Later that day\. The next day/);
    },
  );

  it('names places and days as a person telling a trip would', () => {
    const segments = narrateScenes({
      theme: 'Far south',
      hasExplicitTheme: false,
      scenes: trip(60),
      durationSec: 60,
      seed: 'r_story',
    });
    const script = segments.map((s) => s.text).join(' ');
    expect(script).toMatch(/^It began in Lisbon, Portugal, on a Sunday evening in July\./);
    expect(script).toMatch(/(Two days later|After two more days)[^.]*Ushuaia, Argentina/);
    expect(script).not.toMatch(/Ushuaia, Argentina.*El Calafate, Argentina/); // the country once, when it changes
  });

  it('a scene at sea is told by its sea, and a region far from towns by its name, never with an empty place', () => {
    const sea: Place = {
      town: '',
      area: 'Atlantic Ocean',
      country: '',
      countryCode: '',
      atSea: true,
      population: 0,
      km: Infinity,
    };
    const outback: Place = {
      town: '',
      area: 'Northern Territory',
      country: 'Australia',
      countryCode: 'AU',
      population: 0,
      km: 80,
    };
    const scenes: SceneTiming[] = [
      { index: 0, startSec: 0, endSec: 10, startedAt: '2024-05-01T09:00:00', place: sea, shotCount: 3 },
      { index: 1, startSec: 10, endSec: 20, startedAt: '2024-05-03T09:00:00', place: outback, shotCount: 3 },
      { index: 2, startSec: 20, endSec: 30, startedAt: '2024-05-05T09:00:00', place: sea, shotCount: 3 },
    ];
    const script = narrateScenes({ theme: 'x', hasExplicitTheme: false, scenes, durationSec: 30, seed: 'r' })
      .map((s) => s.text)
      .join(' ');
    expect(script).toMatch(/^It began (out on the Atlantic Ocean|at sea)/);
    expect(script).toMatch(/Northern Territory/);
    expect(script).not.toMatch(/ (of|in|through|the) [.,]| {2}|, \./);
  });

  it('a scene named by its country is told as a road', () => {
    const scenes: SceneTiming[] = [
      {
        index: 0,
        startSec: 0,
        endSec: 10,
        startedAt: '2024-05-01T09:00:00',
        place: { ...place('Hallstatt', 'Austria'), town: '' },
        shotCount: 10,
      },
    ];
    expect(narrateScenes({ theme: 'x', hasExplicitTheme: false, scenes, durationSec: 10, seed: 'r' })[0]!.text).toMatch(
      /roads of Austria/,
    );
  });

  it('a written script is said sentence by sentence, and what does not fit is dropped whole', () => {
    const segments = placeScript(
      'We flew south. The glacier calved twice that afternoon. Then it rained for a week, and we read every book we had brought with us.',
      [0, 2, 4.5],
      8,
    );
    expect(segments.map((s) => s.text)).toEqual(['We flew south.', 'The glacier calved twice that afternoon.']);
    expect(segments[1]!.startSec).toBeCloseTo(2.35, 2); // on the next cut
  });
});
