/**
 * What the director says and writes, per language: one Phrasebook per
 * language, each a module of whole sentences written for that language (word
 * order, prepositions, compounds), never assembled word by word from English.
 * Every language has every key: one missing fails the type check.
 */

export type PartOfDay = 'morning' | 'afternoon' | 'evening' | 'night';

/** When a scene was, with its names already in the phrasebook's language (from Intl). */
export interface When {
  weekday: string;
  month: string;
  part: PartOfDay | null;
}

/** How long after the scene before this one is. */
export type Gap =
  | { kind: 'same-day'; part: PartOfDay | null }
  | { kind: 'next-day'; part: PartOfDay | null }
  | { kind: 'days-later'; days: number }
  | { kind: 'more-days'; days: number }
  | { kind: 'long-after' };

/** The first line: how the trip began. */
export interface Openings {
  atSea(area: string, when: When | null): string;
  atSeaShort(): string;
  /** On the roads of a region (or country) with no town to name. */
  region(area: string, when: When | null): string;
  regionShort(area: string): string;
  /** In a place, on a weekday in a month; `where` may carry its country. */
  place(where: string, when: When): string;
  /** In a town, on a weekday. */
  placeOnDay(town: string, when: When): string;
  town(where: string): string;
  when(when: When): string;
}

/** A later scene's line; `gap` is said first, written as `gapPhrase` makes it. */
export interface SceneLines {
  journeyOn(gap: Gap): string;
  atSea(area: string, gap: Gap | null): string;
  openWater(area: string): string;
  roads(area: string, gap: Gap | null): string;
  droveThrough(area: string): string;
  still(town: string, gap: Gap): string;
  were(where: string, gap: Gap): string;
  /** "The next morning brought us to …": null in a language where that does not read well. */
  broughtUs(where: string, gap: Gap): string | null;
  wentOn(where: string, gap: Gap): string;
  arrived(where: string, gap: Gap): string;
  fromThere(where: string): string;
  roadLed(where: string): string;
  soon(where: string): string;
  reached(where: string): string;
  nextCame(where: string): string;
  thenCame(where: string): string;
  wasNext(where: string): string;
  gapAndPlace(where: string, gap: Gap): string;
}

export interface Phrasebook {
  /** The locale dates are written in (Intl.DateTimeFormat), and country names. */
  locale: string;
  /** How a title or caption's date names the month: "14 Jul 2024", "14 juillet 2024". */
  monthStyle: 'short' | 'long';
  /** The theme when none was given and no place names the video. */
  untitled: string;
  /** "Two days later", "The next morning": capitalised, as it starts a sentence. */
  gapPhrase(gap: Gap): string;
  /** A town and its country, as said the first time in that country: "Bergen, Norway". */
  townInCountry(town: string, country: string): string;
  opening: Openings;
  scene: SceneLines;
  closings: readonly [string, string, string];
  /** A chapter's title: "Day 2 · Bergen"; `day` is null when the trip is one day (or undated). */
  chapter(day: number | null, name: string): string;
  /** What is said while the map shows the route. */
  route: RouteLines;
}

/** The route, said over the map: "From Bergen to Ålesund, by Geiranger." */
export interface RouteLines {
  roundTrip(from: string): string;
  fromTo(from: string, to: string): string;
  fromToBy(from: string, to: string, by: string): string;
}

export const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A number of days as a word (two to thirteen), else as digits. */
export const numberWord = (words: readonly string[], n: number) => words[n] ?? String(n);

/** "Day 2 · Bergen", or the name alone. */
export const chapterTitle = (dayWord: string, day: number | null, name: string) =>
  day === null ? name : `${dayWord} ${day} · ${name}`;
