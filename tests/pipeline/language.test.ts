import { describe, expect, it } from 'vitest';
import { chaptersOf, placeIn } from '../../src/pipeline/agents/director/chapters.js';
import { narrateScenes, type SceneTiming } from '../../src/pipeline/agents/director/narration.js';
import type { Place } from '../../src/pipeline/agents/director/places.js';
import { dateRange, titleCard } from '../../src/pipeline/agents/director/title.js';
import { LANGUAGES, primaryLanguage, type Language } from '../../src/schemas/language.js';
import { startRunBodySchema } from '../../src/schemas/run.js';
import { chaptersMetadata } from '../../src/render/video/segment.js';
import { speakLocally } from '../../src/pipeline/agents/voice/index.js';

const place = (town: string, country: string, countryCode: string): Place => ({
  town,
  country,
  countryCode,
  population: 1000,
  km: 1,
});

const STOPS: Array<[string, Place]> = [
  ['2024-07-14T18:42:10', place('Lisbon', 'Portugal', 'PT')],
  ['2024-07-15T10:31:02', place('Sintra', 'Portugal', 'PT')],
  ['2024-07-15T16:12:37', place('Cascais', 'Portugal', 'PT')],
  ['2024-07-17T19:20:18', place('Porto', 'Portugal', 'PT')],
  ['2024-07-19T09:00:00', place('Bergen', 'Norway', 'NO')],
  ['2024-07-21T18:00:00', place('Flåm', 'Norway', 'NO')],
];

function trip(durationSec: number, language: Language): SceneTiming[] {
  return STOPS.map(([startedAt, at], i) => ({
    index: i,
    startSec: (i * durationSec) / STOPS.length,
    endSec: ((i + 1) * durationSec) / STOPS.length,
    startedAt,
    place: placeIn(at, language),
    shotCount: 2,
  }));
}

const narrate = (language: Language, seed = 'r_lang') =>
  narrateScenes({ theme: '', hasExplicitTheme: false, scenes: trip(60, language), durationSec: 60, seed, language });

/** Words only English narration uses: any of them in another language's lines is a template left untranslated. */
const ENGLISH = /\b(It began|we were|we went|the|days later|went on|arrived|reached|came|journey|remember)\b/;

describe('narration in the video’s language', () => {
  it('French and German lines are whole sentences of their own, with the trip’s places, days and months', () => {
    const english = narrate('en').map((s) => s.text);
    for (const [language, expected] of [
      [
        'fr',
        [
          /^Tout a commencé à Lisbon, au Portugal, un dimanche soir, en juillet\.$/,
          /jours plus tard|Le lendemain/,
          /Norvège/,
        ],
      ],
      [
        'de',
        [/^Alles begann in Lisbon, Portugal, an einem Sonntagabend im Juli\.$/, /Tage später|Am nächsten/, /Norwegen/],
      ],
    ] as const) {
      const lines = narrate(language).map((s) => s.text);
      expect(lines.length, language).toBeGreaterThan(3);
      expect(lines[0]).toMatch(expected[0]);
      const script = lines.join(' ');
      expect(script).toMatch(expected[1]);
      expect(script).toMatch(expected[2]);
      expect(script).not.toMatch(ENGLISH);
      for (const line of lines) expect(english).not.toContain(line);
      // The country is said once, when it changes: "Bergen, en Norvège", then "Flåm".
      expect(script).toContain('Bergen');
      expect(script).not.toMatch(/Flåm, (en )?(Norvège|Norwegen)/);
    }
  });

  it('every language narrates, with no English words and every line ending as a sentence', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      for (const seed of ['a', 'b', 'c']) {
        const lines = narrate(language, seed).map((s) => s.text);
        expect(lines.length, `${language} ${seed}`).toBeGreaterThan(3);
        for (const line of lines) {
          expect(line, language).toMatch(/^\p{Lu}.*[.!?]$/u);
          expect(line, language).not.toMatch(ENGLISH);
          expect(line, language).not.toMatch(/undefined|null|\$\{/);
        }
      }
    }
  });

  it('dates are written by Intl in the language, and a title card says them', () => {
    const days = ['2024-07-14T10:00:00', '2024-07-18T10:00:00'];
    // Intl spaces ranges with thin spaces; the renderer draws any space as one.
    const range = (takenAts: string[], language: Language) => dateRange(takenAts, language)!.replace(/\s/g, ' ');
    expect(range(days, 'fr')).toBe('14–18 juillet 2024');
    expect(range(days, 'de')).toBe('14.–18. Juli 2024');
    expect(range(['2024-06-30T10:00:00', '2024-07-02T10:00:00'], 'es')).toBe('30 de junio – 2 de julio de 2024');
    expect(range(days, 'en')).toMatch(/^14 ?– ?18 Jul 2024$/);
    const media = days.map((takenAt) => ({ takenAt }) as never);
    expect(titleCard({ title: 'Été à Zürich' }, 'x', media, ['Bergen, Norvège'], 'fr')).toEqual({
      text: 'Été à Zürich',
      subtitle: '14–18 juillet 2024 · Bergen, Norvège',
    });
  });
});

describe('the local voice', () => {
  it('speaks each language with its own voice: the same words sound otherwise in French than in English', async () => {
    const line = 'Le lendemain matin, nous étions à Bergen.';
    const [english, french] = await Promise.all([speakLocally(line, 'en'), speakLocally(line, 'fr')]);
    expect(french.durationSec).toBeGreaterThan(1);
    expect(Math.abs(french.durationSec - english.durationSec)).toBeGreaterThan(0.05);
    for (const language of LANGUAGES)
      expect((await speakLocally('Bergen.', language)).durationSec).toBeGreaterThan(0.2);
  });
});

describe('chapters', () => {
  const shots = [0, 3, 6, 9, 12].map((startSec) => ({ startSec }));
  const bergen = place('Bergen', 'Norway', 'NO');
  const flam = place('Flåm', 'Norway', 'NO');

  it('one per day or place, on shot boundaries, titled in the language', () => {
    const input = {
      shots,
      takenAts: ['2024-07-14T10:00', '2024-07-14T12:00', '2024-07-15T09:00', null, '2024-07-15T18:00'],
      places: [bergen, bergen, bergen, null, flam],
      fallback: 'Trip',
    };
    expect(chaptersOf({ ...input, language: 'en' })).toEqual([
      { startSec: 0, title: 'Day 1 · Bergen' },
      { startSec: 6, title: 'Day 2 · Bergen' },
      { startSec: 12, title: 'Day 2 · Flåm' },
    ]);
    expect(chaptersOf({ ...input, language: 'fr' }).map((c) => c.title)).toEqual([
      'Jour 1 · Bergen',
      'Jour 2 · Bergen',
      'Jour 2 · Flåm',
    ]);
  });

  it('a one-day trip is named by its places; no place, by its date; nothing known, one chapter', () => {
    const oneDay = Array(5).fill('2024-07-14T10:00');
    expect(
      chaptersOf({
        shots,
        takenAts: oneDay,
        places: [bergen, bergen, flam, flam, flam],
        language: 'de',
        fallback: 'x',
      }),
    ).toEqual([
      { startSec: 0, title: 'Bergen' },
      { startSec: 6, title: 'Flåm' },
    ]);
    expect(
      chaptersOf({
        shots: shots.slice(0, 2),
        takenAts: ['2024-07-14T10:00', '2024-07-16T10:00'],
        places: [null, null],
        language: 'fr',
        fallback: 'x',
      }).map((c) => c.title),
    ).toEqual(['Jour 1 · dimanche 14 juillet', 'Jour 3 · mardi 16 juillet']);
    expect(
      chaptersOf({
        shots,
        takenAts: Array(5).fill(null),
        places: Array(5).fill(null),
        language: 'es',
        fallback: 'Viaje',
      }),
    ).toEqual([{ startSec: 0, title: 'Viaje' }]);
  });

  it('as FFMETADATA: each runs to the next, the last to the end, special characters escaped', () => {
    expect(
      chaptersMetadata(
        [
          { startSec: 0, title: 'Jour 1 · Bergen' },
          { startSec: 4.5, title: 'a=b;c#d\\e' },
          { startSec: 20, title: 'past the end' },
        ],
        10,
      ),
    ).toBe(
      ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=4500\ntitle=Jour 1 · Bergen\n' +
        '[CHAPTER]\nTIMEBASE=1/1000\nSTART=4500\nEND=10000\ntitle=a\\=b\\;c\\#d\\\\e\n',
    );
  });
});

describe('the language a request asks for', () => {
  it('any BCP 47 tag of a supported language, by its primary subtag', () => {
    for (const [tag, language] of [
      ['fr', 'fr'],
      ['fr-CA', 'fr'],
      ['pt-BR', 'pt'],
      ['DE', 'de'],
      ['nl-BE', 'nl'],
      ['en-GB', 'en'],
    ] as const) {
      expect(primaryLanguage(tag)).toBe(language);
      expect(startRunBodySchema.safeParse({ language: tag }).success).toBe(true);
    }
  });

  it('refuses others as unsupported, listing the supported ones', () => {
    for (const tag of ['ja', 'xx', 'fr_FR', '', 'français', 'x'.repeat(40)]) {
      const parsed = startRunBodySchema.safeParse({ language: tag });
      expect(parsed.success, tag).toBe(false);
      expect(parsed.error!.issues[0]).toMatchObject({
        params: { status: 422, code: 'unsupported_language', details: { supported: [...LANGUAGES] } },
      });
    }
  });
});
