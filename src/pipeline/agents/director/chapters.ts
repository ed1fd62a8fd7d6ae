import type { Language } from '../../../schemas/language.js';
import type { Chapter, Shot } from '../../../schemas/run.js';
import { countryIn, phrasebookFor } from './languages/index.js';
import type { Place } from './places.js';
import { dayOf } from './title.js';

const DAY_MS = 86_400_000;

/** What a chapter is named by: the town, else the region or sea, else the country. */
const nameOf = (place: Place | null) => (place ? place.town || place.area || place.country || null : null);

/**
 * One chapter per day or place of the trip: a new one begins with the first
 * shot whose day or place differs from the shot before it (a shot with no
 * date or no place keeps the last one known), so chapters start on shot
 * boundaries and the first, at 0, holds the title card. Titles are in the
 * video's language: "Day 2 · Bergen" on a trip of several days, "Bergen" on
 * one, the date ("dimanche 14 juillet") where no place is known, `fallback`
 * where neither is.
 */
export function chaptersOf(input: {
  shots: Array<Pick<Shot, 'startSec'>>;
  takenAts: Array<string | null>;
  places: Array<Place | null>;
  language: Language;
  fallback: string;
}): Chapter[] {
  const words = phrasebookFor(input.language);
  const days = input.takenAts.map(dayOf);
  const known = days.filter((d): d is Date => d !== null).map((d) => d.getTime());
  const first = known.length > 0 ? Math.min(...known) : null;
  const severalDays = new Set(known).size > 1;
  const dateName = new Intl.DateTimeFormat(words.locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });
  const chapters: Chapter[] = [];
  let day: Date | null = null;
  let name: string | null = null;
  let key = '';
  input.shots.forEach((shot, i) => {
    day = days[i] ?? day;
    name = nameOf(input.places[i] ?? null) ?? name;
    const next = `${day?.getTime() ?? ''}|${name ?? ''}`;
    if (i > 0 && next === key) return;
    key = next;
    const number = severalDays && day && first !== null ? Math.round((day.getTime() - first) / DAY_MS) + 1 : null;
    const title = words.chapter(number, name ?? (day ? dateName.format(day) : input.fallback));
    chapters.push({ startSec: shot.startSec, title });
  });
  return chapters;
}

/**
 * A place as the video's language says it: the country in that language
 * ("Norvège"); the town keeps its own name. A city-state stays one name.
 */
export function placeIn(place: Place, language: Language): Place {
  const country = countryIn(language, place.countryCode);
  if (!country || place.country === '') return place;
  return { ...place, country: place.town && place.town === place.country ? place.town : country };
}
