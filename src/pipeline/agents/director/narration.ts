import type { NarrationSegment } from '../../../schemas/run.js';
import { seededRandom } from '../../../random.js';
import type { Place } from './places.js';

/**
 * The narration as lines placed in time: one line per scene, spoken while the
 * scene is on screen, chosen from whole sentences (longest that fits first),
 * so a line is shortened or dropped, never cut mid-word.
 */

export interface SceneTiming {
  index: number;
  /** When the scene's first shot begins to appear, and when the next scene's does (or the video ends). */
  startSec: number;
  endSec: number;
  startedAt: string | null;
  /** Where it was; a place with no town is a scene named by its country (a road through many villages). */
  place: Place | null;
  shotCount: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const NUMBERS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
];

/** Words a narrator says per second, unhurried (espeak at 150 wpm says 2.5), and the pause a full stop or comma adds. */
const WORDS_PER_SECOND = 2.3;
const PAUSE_SEC = 0.2;
/** A line starts this long after its scene begins to appear, and ends this long before the next one does. */
const LEAD_SEC = 0.35;
const FIRST_LEAD_SEC = 0.6;
const TAIL_SEC = 0.25;

/** Seconds a line takes to say, estimated from its words and pauses. */
export function speakingSec(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  const pauses = (text.match(/[.,;:!?]/g) ?? []).length;
  return words / WORDS_PER_SECOND + pauses * PAUSE_SEC;
}

function dateParts(
  takenAt: string,
): { year: number; month: number; day: number; weekday: number; hour: number | null } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?/.exec(takenAt);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hour: match[4] ? Number(match[4]) : null,
  };
}

function daysBetween(a: string, b: string): number {
  const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((day(b) - day(a)) / 86_400_000);
}

function partOfDay(hour: number | null): 'morning' | 'afternoon' | 'evening' | 'night' | null {
  if (hour === null) return null;
  return hour < 5 ? 'night' : hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : hour < 21 ? 'evening' : 'night';
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const number = (n: number) => NUMBERS[n] ?? String(n);

/** A line's candidate wordings, the richest first; each is a whole sentence or two. */
type Candidates = Array<{ key: string; text: string; short?: boolean }>;

interface Context {
  previous: SceneTiming | null;
  /** The country last said aloud, so it is said again only when it changes. */
  spokenCountry: string | null;
  /** The last line's "two days later", so the next does not say it again. */
  lastGap: string | null;
  pick: <T>(options: T[]) => T;
}

/** What names a place with no town: its region or area when known, else its country. */
const areaOf = (place: Place): string => place.area || place.country;

/** "Ushuaia, Argentina" the first time in a country, "Porto" after. */
function placePhrase(place: Place, context: Context): string {
  return place.country !== context.spokenCountry ? `${place.town}, ${place.country}` : place.town;
}

function openingCandidates(scene: SceneTiming, context: Context): Candidates {
  const parts = scene.startedAt ? dateParts(scene.startedAt) : null;
  const when = parts
    ? `on a ${WEEKDAYS[parts.weekday]}${partOfDay(parts.hour) ? ` ${partOfDay(parts.hour)}` : ''} in ${MONTHS[parts.month - 1]}`
    : null;
  const place = scene.place;
  if (place?.atSea)
    return [
      { key: 'open-sea', text: `It began out on the ${place.area}${when ? `, ${when}` : ''}.` },
      { key: 'open-sea', text: `It began at sea.` },
    ];
  if (place && !place.town)
    return [
      { key: 'open-region', text: `It began on the roads of ${areaOf(place)}${when ? `, ${when}` : ''}.` },
      { key: 'open-region', text: `It began in ${areaOf(place)}.` },
    ];
  const day = parts
    ? `on a ${WEEKDAYS[parts.weekday]}${partOfDay(parts.hour) ? ` ${partOfDay(parts.hour)}` : ''}`
    : null;
  if (place && when) {
    return [
      { key: 'open', text: `It began in ${placePhrase(place, context)}, ${when}.` },
      { key: 'open', text: `It began in ${place.town}, ${day}.` },
      { key: 'open', text: `It began in ${place.town}.` },
    ];
  }
  if (place)
    return [
      { key: 'open', text: `It began in ${placePhrase(place, context)}.` },
      { key: 'open', text: `It began in ${place.town}.` },
    ];
  if (when) return [{ key: 'open', text: `It began ${when}.` }];
  return [];
}

/** "Two days later", "The next morning", "That evening", or null when the dates say nothing. */
function gapPhrase(scene: SceneTiming, previous: SceneTiming | null): { days: number; phrase: string } | null {
  if (!scene.startedAt || !previous?.startedAt) return null;
  const days = daysBetween(previous.startedAt, scene.startedAt);
  const tod = partOfDay(dateParts(scene.startedAt)?.hour ?? null);
  const before = partOfDay(dateParts(previous.startedAt)?.hour ?? null);
  if (days === 0) return { days, phrase: tod && tod !== before ? `that ${tod}` : 'later that day' };
  if (days === 1) return { days, phrase: tod ? `the next ${tod}` : 'the next day' };
  if (days > 1 && days <= 13) return { days, phrase: `${number(days)} days later` }; // "after N more days" when it repeats: see sceneCandidates
  if (days > 13) return { days, phrase: 'some time later' };
  return null;
}

function sceneCandidates(scene: SceneTiming, context: Context): Candidates {
  const gap = gapPhrase(scene, context.previous);
  const place = scene.place;
  const previousTown = context.previous?.place?.town ?? null;
  if (!place)
    return gap && gap.days > 0 ? [{ key: 'on', text: `${capitalise(gap.phrase)}, the journey went on.` }] : [];
  if (place.atSea) {
    const when = gap ? `${capitalise(gap.phrase)}, we` : 'We';
    return [
      { key: 'sea', text: `${when} were out on the ${place.area}.` },
      { key: 'sea', text: `Then, the open water of the ${place.area}.` },
    ];
  }
  if (!place.town) {
    const when = gap ? `${capitalise(gap.phrase)}, we` : 'We';
    return [
      { key: 'road', text: `${when} took to the roads of ${areaOf(place)}.` },
      { key: 'road', text: `We drove on through ${areaOf(place)}.` },
    ];
  }
  if (place.town === previousTown) {
    return gap && gap.days > 0
      ? [{ key: 'still', text: `${capitalise(gap.phrase)}, we were still in ${place.town}.` }]
      : [];
  }
  const where = placePhrase(place, context);
  if (gap && gap.phrase === context.lastGap && gap.days > 1) gap.phrase = `after ${number(gap.days)} more days`;
  // "The next morning brought us" reads well; "Two days later brought us" does not.
  const brought =
    gap && /^(the next|that) /.test(gap.phrase)
      ? [{ key: 'brought', text: `${capitalise(gap.phrase)} brought us to ${where}.` }]
      : [];
  const full: Candidates = gap
    ? [
        { key: 'were', text: `${capitalise(gap.phrase)}, we were in ${where}.` },
        ...brought,
        { key: 'went', text: `${capitalise(gap.phrase)}, we went on to ${where}.` },
        { key: 'arrived', text: `${capitalise(gap.phrase)}, we arrived in ${where}.` },
      ]
    : [
        { key: 'went', text: `From there we went on to ${where}.` },
        { key: 'road', text: `The road led on to ${where}.` },
        { key: 'were', text: `Soon we were in ${where}.` },
      ];
  // When time is short: the day and the place ("Two days later, Ushuaia."), or the place in a few words.
  const short: Candidates = [
    { key: 'reached', text: `We reached ${where}.`, short: true },
    { key: 'next', text: `Next came ${where}.`, short: true },
    { key: 'then', text: `Then came ${where}.`, short: true },
    { key: 'was-next', text: `${where} was next.`, short: true },
  ];
  // The day and the place in a few words carry the most when time is short, so they come first.
  const dayAndPlace: Candidates = gap ? [{ key: 'gap', text: `${capitalise(gap.phrase)}, ${where}.` }] : [];
  return [...shuffle(full, context.pick), ...dayAndPlace, ...shuffle(short, context.pick)];
}

/** The options in a seeded order, so neighbouring scenes are not worded alike. */
function shuffle<T>(options: T[], pick: <U>(o: U[]) => U): T[] {
  const rest = [...options];
  const out: T[] = [];
  while (rest.length > 0) {
    const chosen = pick(rest);
    out.push(chosen);
    rest.splice(rest.indexOf(chosen), 1);
  }
  return out;
}

const CLOSINGS = ['These are the moments we keep.', 'And that is how we will remember it.', 'A trip to remember.'];

/**
 * The first candidate that can be said between `startSec` and `endSec`,
 * worded unlike the last two lines; a short wording only if it has not been
 * used at all (they are few, and repeating them sounds like a list).
 */
function fit(
  candidates: Candidates,
  startSec: number,
  endSec: number,
  used: string[],
): { key: string; text: string } | null {
  const fitting = candidates.filter((c) => startSec + speakingSec(c.text) <= endSec);
  const recent = used.slice(-2);
  return (
    fitting.find((c) => !recent.includes(c.key) && !(c.short && used.includes(c.key))) ??
    fitting.find((c) => !recent.includes(c.key)) ??
    fitting[0] ??
    null
  );
}

/**
 * One line per scene, started LEAD_SEC after the scene appears and fitted into
 * the time until the next scene appears; the theme (when it was given) opens
 * and a closing line ends the video when there is time for them.
 */
export function narrateScenes(input: {
  theme: string;
  hasExplicitTheme: boolean;
  scenes: SceneTiming[];
  durationSec: number;
  seed: string;
}): NarrationSegment[] {
  const random = seededRandom(`narration:${input.seed}`);
  const firstCountry = input.scenes.find((scene) => scene.place)?.place?.country ?? null;
  // "Three days in Portugal" has said the country already.
  const themeSaysCountry =
    input.hasExplicitTheme && firstCountry !== null && input.theme.toLowerCase().includes(firstCountry.toLowerCase());
  const context: Context = {
    previous: null,
    spokenCountry: themeSaysCountry ? firstCountry : null,
    lastGap: null,
    pick: (options) => options[Math.floor(random() * options.length)]!,
  };
  const segments: NarrationSegment[] = [];
  const recent: string[] = [];
  let freeFrom = 0;
  for (const [i, scene] of input.scenes.entries()) {
    const startSec = Math.max(freeFrom, scene.startSec + (i === 0 ? FIRST_LEAD_SEC : LEAD_SEC));
    const endSec = Math.min(scene.endSec, input.durationSec) - TAIL_SEC;
    let candidates = i === 0 ? openingCandidates(scene, context) : sceneCandidates(scene, context);
    if (i === 0 && input.hasExplicitTheme) {
      const theme = input.theme.replace(/[.!?\s]+$/, '');
      candidates = [
        ...candidates.map((c) => ({ key: c.key, text: `${theme}. ${c.text}` })),
        { key: 'theme', text: `${theme}.` },
        ...candidates,
      ];
    }
    // The theme is about the whole video, not one scene: when the first scene is too short for it, it may run on.
    const line =
      fit(candidates, startSec, endSec, recent) ??
      (i === 0 && input.hasExplicitTheme
        ? fit(
            candidates.filter((c) => c.key === 'theme'),
            startSec,
            input.durationSec - TAIL_SEC,
            [],
          )
        : null);
    if (line) {
      segments.push({ startSec: round2(startSec), text: line.text });
      recent.push(line.key);
      freeFrom = startSec + speakingSec(line.text) + TAIL_SEC;
      if (scene.place && !scene.place.atSea) context.spokenCountry = scene.place.country;
      context.lastGap = line.text.match(/^(\w+ days later|after \w+ more days)/i)?.[0].toLowerCase() ?? null;
    }
    context.previous = scene;
  }
  const closing = CLOSINGS[Math.floor(random() * CLOSINGS.length)]!;
  const last = input.scenes.at(-1);
  const closingStart = Math.max(freeFrom + 0.3, last ? last.startSec + LEAD_SEC : 0);
  if (closingStart + speakingSec(closing) <= input.durationSec - 0.8)
    segments.push({ startSec: round2(closingStart), text: closing });
  return segments;
}

/**
 * A script someone wrote (or a model returned as one block), said sentence by
 * sentence: each starts where the last ended, or on the next cut when one comes
 * within a second; sentences that do not fit before the end are dropped whole.
 */
export function placeScript(script: string, cuts: number[], durationSec: number): NarrationSegment[] {
  const sentences =
    script
      .match(/[^.!?]+[.!?]+["')\]]*|[^.!?]+$/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? [];
  const segments: NarrationSegment[] = [];
  let at = FIRST_LEAD_SEC;
  for (const sentence of sentences) {
    const cut = cuts.find((c) => c >= at && c - at <= 1);
    const startSec = cut !== undefined ? cut + LEAD_SEC : at;
    if (startSec + speakingSec(sentence) > durationSec - TAIL_SEC) break;
    segments.push({ startSec: round2(startSec), text: sentence });
    at = startSec + speakingSec(sentence) + TAIL_SEC;
  }
  return segments;
}

/** The spoken script: the lines in order. */
export const scriptOf = (segments: NarrationSegment[]) => segments.map((s) => s.text).join(' ');

const round2 = (value: number) => Math.round(value * 100) / 100;
