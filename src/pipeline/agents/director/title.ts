import type { Media } from '../../../schemas/media.js';
import type { StartRunBody, Storyboard } from '../../../schemas/run.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Day {
  year: number;
  month: number;
  day: number;
}

/** The calendar day as written by the camera (never shifted by a time zone). */
function dayOf(takenAt: string | null): Day | null {
  const match = takenAt ? /^(\d{4})-(\d{2})-(\d{2})/.exec(takenAt) : null;
  return match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : null;
}

/** "14 Jul 2024". */
export function shortDate(takenAt: string | null): string | null {
  const d = dayOf(takenAt);
  return d ? `${d.day} ${MONTHS[d.month - 1]} ${d.year}` : null;
}

/** "14–18 Jul 2024", "30 Jun – 2 Jul 2024", "28 Dec 2023 – 3 Jan 2024", or one day. */
export function dateRange(takenAts: Array<string | null>): string | null {
  const days = takenAts.map(dayOf).filter((d): d is Day => d !== null);
  if (days.length === 0) return null;
  const key = (d: Day) => d.year * 10_000 + d.month * 100 + d.day;
  days.sort((a, b) => key(a) - key(b));
  const first = days[0]!;
  const last = days.at(-1)!;
  const full = (d: Day) => `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
  if (key(first) === key(last)) return full(first);
  if (first.year !== last.year) return `${full(first)} – ${full(last)}`;
  if (first.month !== last.month) return `${first.day} ${MONTHS[first.month - 1]} – ${full(last)}`;
  return `${first.day}–${last.day} ${MONTHS[last.month - 1]} ${last.year}`;
}

/** The opening title: the theme (or the requested text) over the dates and the first place. */
export function titleCard(
  request: StartRunBody,
  theme: string,
  shown: Media[],
  places: Array<string | null>,
): Storyboard['title'] {
  if (request.title === false) return null;
  const text = typeof request.title === 'string' && request.title.length > 0 ? request.title : theme;
  const firstPlace = places.find((place): place is string => place !== null) ?? null;
  const parts = [dateRange(shown.map((m) => m.takenAt)), firstPlace && firstPlace !== text ? firstPlace : null].filter(
    (p): p is string => p !== null,
  );
  return { text, subtitle: parts.length > 0 ? parts.join(' · ') : null };
}

/** A scene caption, "Lisbon · 14 Jul 2024", or null when neither is known. */
export function captionFor(place: string | null, takenAt: string | null): string | null {
  const parts = [place, shortDate(takenAt)].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}
