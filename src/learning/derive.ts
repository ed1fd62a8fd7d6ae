import type { Combination, HistoryEntry, MemoryIndex } from '../schemas/memory.js';
import { MEMORY_VERSION } from '../schemas/memory.js';

export const DEFAULT_PREFERRED_DURATION = 30;
/** A rating loses half its weight for every this many days its video is older than the newest one. */
export const HALF_LIFE_DAYS = 90;
const DAY_MS = 86_400_000;

/** Beta(1 + good, 1 + bad): mean and standard deviation. */
export function betaStats(good: number, bad: number): { mean: number; sd: number } {
  const a = good + 1;
  const b = bad + 1;
  return { mean: a / (a + b), sd: Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1))) };
}

const round = (value: number, digits = 6) => Number(value.toFixed(digits));

interface Tally {
  good: number;
  bad: number;
  ratings: number;
}

function tally(map: Map<string, Tally>, key: string, rating: 'good' | 'bad', weight: number): void {
  const entry = map.get(key) ?? { good: 0, bad: 0, ratings: 0 };
  entry[rating] += weight;
  entry.ratings++;
  map.set(key, entry);
}

/** History sorted newest last, ties by run id: the one order every derivation uses. */
export function sortHistory(history: HistoryEntry[]): HistoryEntry[] {
  return [...history].sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.runId.localeCompare(b.runId));
}

/**
 * Everything in the index that is not history, computed from the history
 * alone, in a fixed order: the same history always gives the same index, so
 * an index rebuilt from the evaluations is identical to one kept up to date.
 * Ratings decay with the age of their video relative to the newest video.
 */
export function deriveIndex(unsorted: HistoryEntry[], maxHistory: number): MemoryIndex {
  const history = sortHistory(unsorted).slice(-maxHistory);
  const newest = history.length > 0 ? Date.parse(history.at(-1)!.timestamp) : 0;
  const combos = new Map<string, Tally & { mood: string; musicStyle: string }>();
  const moods = new Map<string, Tally>();
  const styles = new Map<string, Tally>();
  let durationWeight = 0;
  let durationSum = 0;
  for (const entry of history) {
    if (!entry.rating) continue;
    const weight = 0.5 ** ((newest - Date.parse(entry.timestamp)) / (HALF_LIFE_DAYS * DAY_MS));
    const key = `${entry.mood}\u0000${entry.musicStyle}`;
    if (!combos.has(key))
      combos.set(key, { mood: entry.mood, musicStyle: entry.musicStyle, good: 0, bad: 0, ratings: 0 });
    tally(combos as Map<string, Tally>, key, entry.rating, weight);
    tally(moods, entry.mood, entry.rating, weight);
    tally(styles, entry.musicStyle, entry.rating, weight);
    if (entry.rating === 'good') {
      durationWeight += weight;
      durationSum += weight * entry.durationSec;
    }
  }
  const successfulCombinations: Combination[] = [...combos.values()]
    .map((c) => ({
      mood: c.mood,
      musicStyle: c.musicStyle,
      successRate: round(betaStats(c.good, c.bad).mean, 4),
      good: round(c.good),
      bad: round(c.bad),
      ratings: c.ratings,
    }))
    .sort(
      (a, b) =>
        b.successRate - a.successRate ||
        b.ratings - a.ratings ||
        a.mood.localeCompare(b.mood) ||
        a.musicStyle.localeCompare(b.musicStyle),
    );

  // Favourites: at least two ratings, ranked by a lower confidence bound, and more liked than not.
  const favorite_moods = [...moods.entries()]
    .filter(([, t]) => t.ratings >= 2)
    .map(([mood, t]) => ({ mood, ...betaStats(t.good, t.bad) }))
    .filter((m) => m.mean > 0.5)
    .sort((a, b) => b.mean - b.sd - (a.mean - a.sd) || a.mood.localeCompare(b.mood))
    .map((m) => m.mood);
  // Disliked: at least three ratings, and clearly bad (even the upper bound is below even odds).
  const disliked_music_styles = [...styles.entries()]
    .filter(([, t]) => t.ratings >= 3 && betaStats(t.good, t.bad).mean + betaStats(t.good, t.bad).sd < 0.5)
    .map(([style]) => style)
    .sort();

  const updatedAt = history.reduce<string | null>((latest, entry) => {
    const at = entry.ratedAt && entry.ratedAt > entry.timestamp ? entry.ratedAt : entry.timestamp;
    return latest === null || at > latest ? at : latest;
  }, null);

  return {
    version: MEMORY_VERSION,
    updatedAt,
    user_preferences: {
      favorite_moods,
      preferred_duration: durationWeight > 0 ? round(durationSum / durationWeight, 2) : DEFAULT_PREFERRED_DURATION,
      disliked_music_styles,
    },
    video_history: history,
    learned_patterns: { successfulCombinations },
  };
}

/** Whether the index has learned a preferred duration (a good rating), rather than showing the default. */
export const hasLearnedDuration = (index: MemoryIndex) => index.video_history.some((entry) => entry.rating === 'good');
