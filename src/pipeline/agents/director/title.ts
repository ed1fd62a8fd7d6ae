import type { Language } from '../../../schemas/language.js';
import type { Media } from '../../../schemas/media.js';
import type { StartRunBody, Storyboard } from '../../../schemas/run.js';
import { phrasebookFor, utcDay } from './languages/index.js';

/** The calendar day as written by the camera (never shifted by a time zone), as a UTC instant. */
export function dayOf(takenAt: string | null): Date | null {
  const match = takenAt ? /^(\d{4})-(\d{2})-(\d{2})/.exec(takenAt) : null;
  return match ? utcDay(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

/** Dates as the language writes them: "14 Jul 2024", "14 juillet 2024", "14. Juli 2024". */
function dateFormat(language: Language): Intl.DateTimeFormat {
  const { locale, monthStyle } = phrasebookFor(language);
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: monthStyle, year: 'numeric', timeZone: 'UTC' });
}

/** "14 Jul 2024" (in the language's words). */
export function shortDate(takenAt: string | null, language: Language = 'en'): string | null {
  const day = dayOf(takenAt);
  return day ? dateFormat(language).format(day) : null;
}

/** "14 – 18 Jul 2024", "30 juin – 2 juillet 2024", "28 Dec 2023 – 3 Jan 2024", or one day. */
export function dateRange(takenAts: Array<string | null>, language: Language = 'en'): string | null {
  const days = takenAts.map(dayOf).filter((d): d is Date => d !== null);
  if (days.length === 0) return null;
  days.sort((a, b) => a.getTime() - b.getTime());
  const first = days[0]!;
  const last = days.at(-1)!;
  const format = dateFormat(language);
  return first.getTime() === last.getTime() ? format.format(first) : format.formatRange(first, last);
}

/** The opening title: the theme (or the requested text) over the dates and the first place. */
export function titleCard(
  request: StartRunBody,
  theme: string,
  shown: Media[],
  places: Array<string | null>,
  language: Language = 'en',
): Storyboard['title'] {
  if (request.title === false) return null;
  const text = typeof request.title === 'string' && request.title.length > 0 ? request.title : theme;
  const firstPlace = places.find((place): place is string => place !== null) ?? null;
  const parts = [
    dateRange(
      shown.map((m) => m.takenAt),
      language,
    ),
    firstPlace && firstPlace !== text ? firstPlace : null,
  ].filter((p): p is string => p !== null);
  return { text, subtitle: parts.length > 0 ? parts.join(' · ') : null };
}

/** A scene caption, "Lisbon · 14 Jul 2024", or null when neither is known. */
export function captionFor(place: string | null, takenAt: string | null, language: Language = 'en'): string | null {
  const parts = [place, shortDate(takenAt, language)].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}
