import type { Language } from '../../../schemas/language.js';
import type { NarrationSegment } from '../../../schemas/run.js';
import { seededRandom } from '../../../random.js';
import {
  dayNames,
  phrasebookFor,
  utcDay,
  type Gap,
  type PartOfDay,
  type Phrasebook,
  type When,
} from './languages/index.js';
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

function dateParts(takenAt: string): { year: number; month: number; day: number; hour: number | null } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?/.exec(takenAt);
  if (!match) return null;
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: match[4] ? Number(match[4]) : null,
  };
}

function daysBetween(a: string, b: string): number {
  const day = (s: string) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10)));
  return Math.round((day(b) - day(a)) / 86_400_000);
}

function partOfDay(hour: number | null): PartOfDay | null {
  if (hour === null) return null;
  return hour < 5 ? 'night' : hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : hour < 21 ? 'evening' : 'night';
}

/** A line's candidate wordings, the richest first; each is a whole sentence or two. */
type Candidates = Array<{ key: string; text: string; short?: boolean; gap?: Gap }>;

interface Context {
  words: Phrasebook;
  language: Language;
  previous: SceneTiming | null;
  /** The country last said aloud, so it is said again only when it changes. */
  spokenCountry: string | null;
  /** The last line's "two days later", so the next does not say it again. */
  lastGap: Gap | null;
  pick: <T>(options: T[]) => T;
}

/** What names a place with no town: its region or area when known, else its country. */
const areaOf = (place: Place): string => place.area || place.country;

/** "Ushuaia, Argentina" the first time in a country, "Porto" after. */
function placePhrase(place: Place, context: Context): string {
  return place.country !== context.spokenCountry ? context.words.townInCountry(place.town, place.country) : place.town;
}

/** When a scene was, in the narration's language. */
function whenOf(scene: SceneTiming, language: Language): When | null {
  const parts = scene.startedAt ? dateParts(scene.startedAt) : null;
  if (!parts) return null;
  return { ...dayNames(language, utcDay(parts.year, parts.month, parts.day)), part: partOfDay(parts.hour) };
}

function openingCandidates(scene: SceneTiming, context: Context): Candidates {
  const { opening } = context.words;
  const when = whenOf(scene, context.language);
  const place = scene.place;
  if (place?.atSea)
    return [
      { key: 'open-sea', text: opening.atSea(place.area ?? '', when) },
      { key: 'open-sea', text: opening.atSeaShort() },
    ];
  if (place && !place.town)
    return [
      { key: 'open-region', text: opening.region(areaOf(place), when) },
      { key: 'open-region', text: opening.regionShort(areaOf(place)) },
    ];
  if (place && when) {
    return [
      { key: 'open', text: opening.place(placePhrase(place, context), when) },
      { key: 'open', text: opening.placeOnDay(place.town, when) },
      { key: 'open', text: opening.town(place.town) },
    ];
  }
  if (place)
    return [
      { key: 'open', text: opening.town(placePhrase(place, context)) },
      { key: 'open', text: opening.town(place.town) },
    ];
  if (when) return [{ key: 'open', text: opening.when(when) }];
  return [];
}

/** How long after the last scene ("Two days later", "The next morning", "That evening"), or null when the dates say nothing. */
function gapOf(scene: SceneTiming, previous: SceneTiming | null): (Gap & { days: number }) | null {
  if (!scene.startedAt || !previous?.startedAt) return null;
  const days = daysBetween(previous.startedAt, scene.startedAt);
  const tod = partOfDay(dateParts(scene.startedAt)?.hour ?? null);
  const before = partOfDay(dateParts(previous.startedAt)?.hour ?? null);
  if (days === 0) return { kind: 'same-day', part: tod && tod !== before ? tod : null, days };
  if (days === 1) return { kind: 'next-day', part: tod, days };
  if (days > 1 && days <= 13) return { kind: 'days-later', days };
  if (days > 13) return { kind: 'long-after', days };
  return null;
}

const sameGap = (a: Gap | null, b: Gap) => a?.kind === b.kind && 'days' in a && 'days' in b && a.days === b.days;

function sceneCandidates(scene: SceneTiming, context: Context): Candidates {
  const { scene: lines } = context.words;
  const found = gapOf(scene, context.previous);
  const place = scene.place;
  const previousTown = context.previous?.place?.town ?? null;
  if (!place) return found && found.days > 0 ? [{ key: 'on', text: lines.journeyOn(found), gap: found }] : [];
  if (place.atSea) {
    return [
      { key: 'sea', text: lines.atSea(place.area ?? '', found), ...(found ? { gap: found } : {}) },
      { key: 'sea', text: lines.openWater(place.area ?? '') },
    ];
  }
  if (!place.town) {
    return [
      { key: 'road', text: lines.roads(areaOf(place), found), ...(found ? { gap: found } : {}) },
      { key: 'road', text: lines.droveThrough(areaOf(place)) },
    ];
  }
  if (place.town === previousTown) {
    return found && found.days > 0 ? [{ key: 'still', text: lines.still(place.town, found), gap: found }] : [];
  }
  const where = placePhrase(place, context);
  // "Two days later" said twice running becomes "after two more days".
  const gap: Gap | null =
    found && found.days > 1 && found.kind === 'days-later' && sameGap(context.lastGap, found)
      ? { kind: 'more-days', days: found.days }
      : found;
  const brought = gap ? lines.broughtUs(where, gap) : null;
  const full: Candidates = gap
    ? [
        { key: 'were', text: lines.were(where, gap), gap },
        ...(brought ? [{ key: 'brought', text: brought, gap }] : []),
        { key: 'went', text: lines.wentOn(where, gap), gap },
        { key: 'arrived', text: lines.arrived(where, gap), gap },
      ]
    : [
        { key: 'went', text: lines.fromThere(where) },
        { key: 'road', text: lines.roadLed(where) },
        { key: 'were', text: lines.soon(where) },
      ];
  // When time is short: the day and the place ("Two days later, Ushuaia."), or the place in a few words.
  const short: Candidates = [
    { key: 'reached', text: lines.reached(where), short: true },
    { key: 'next', text: lines.nextCame(where), short: true },
    { key: 'then', text: lines.thenCame(where), short: true },
    { key: 'was-next', text: lines.wasNext(where), short: true },
  ];
  // The day and the place in a few words carry the most when time is short, so they come first.
  const dayAndPlace: Candidates = gap ? [{ key: 'gap', text: lines.gapAndPlace(where, gap), gap }] : [];
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

/**
 * The first candidate that can be said between `startSec` and `endSec`,
 * worded unlike the last two lines; a short wording only if it has not been
 * used at all (they are few, and repeating them sounds like a list).
 */
function fit(candidates: Candidates, startSec: number, endSec: number, used: string[]): Candidates[number] | null {
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
  /** The narration's language (English when not given). */
  language?: Language;
}): NarrationSegment[] {
  const random = seededRandom(`narration:${input.seed}`);
  const language = input.language ?? 'en';
  const words = phrasebookFor(language);
  const firstCountry = input.scenes.find((scene) => scene.place)?.place?.country ?? null;
  // "Three days in Portugal" has said the country already.
  const themeSaysCountry =
    input.hasExplicitTheme && firstCountry !== null && input.theme.toLowerCase().includes(firstCountry.toLowerCase());
  const context: Context = {
    words,
    language,
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
        ...candidates.map((c) => ({ ...c, text: `${theme}. ${c.text}` })),
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
      context.lastGap = line.gap ?? null;
    }
    context.previous = scene;
  }
  const closing = words.closings[Math.floor(random() * words.closings.length)]!;
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
