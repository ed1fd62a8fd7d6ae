import { seededRandom } from '../random.js';
import type { StyleChoice } from '../style/choice.js';
import { DEFAULT_MOOD, MOODS, moodInfo } from '../style/styles.js';
import type { MemoryIndex } from '../schemas/memory.js';
import type { StartRunBody } from '../schemas/run.js';
import { sampleBeta } from './beta.js';
import { hasLearnedDuration } from './derive.js';

interface Candidate {
  mood: string;
  musicStyle: string;
  good: number;
  bad: number;
}

const fmt = (value: number) => Number(value.toFixed(2)).toString();

/**
 * Mood and music for a run. What the request says always wins. What it leaves
 * open is chosen by Thompson sampling over the memory index: each candidate
 * (every rated combination, and each mood with its usual music not yet tried)
 * draws a success rate from Beta(1 + good, 1 + bad) and the highest draw wins,
 * so liked combinations come up most and untried ones still get explored. A
 * disliked music style is never chosen. The draw is seeded by the run id, so a
 * resumed run makes the same choice.
 */
export function chooseStyle(request: StartRunBody, memory: MemoryIndex | null, seed: string): StyleChoice {
  const learned =
    memory && hasLearnedDuration(memory) && request.durationSec === undefined
      ? { durationSec: memory.user_preferences.preferred_duration }
      : {};
  if (request.mood !== undefined && request.musicStyle !== undefined) {
    return {
      mood: request.mood,
      musicStyle: request.musicStyle,
      source: 'request',
      reason: 'chosen in the request',
      ...learned,
    };
  }
  const rated = memory?.learned_patterns.successfulCombinations ?? [];
  if (!memory || rated.length === 0) {
    const mood = request.mood ?? DEFAULT_MOOD;
    const musicStyle = request.musicStyle ?? moodInfo(mood).musicStyle;
    const fromRequest = request.mood !== undefined || request.musicStyle !== undefined;
    return {
      mood,
      musicStyle,
      source: fromRequest ? 'request' : 'default',
      reason: fromRequest
        ? 'chosen in the request; the rest is the usual match'
        : 'no ratings yet: the default mood and its usual music',
      ...learned,
    };
  }

  const disliked = new Set(memory.user_preferences.disliked_music_styles);
  const candidates: Candidate[] = rated.map((c) => ({
    mood: c.mood,
    musicStyle: c.musicStyle,
    good: c.good,
    bad: c.bad,
  }));
  for (const [mood, info] of Object.entries(MOODS)) {
    if (!candidates.some((c) => c.mood === mood && c.musicStyle === info.musicStyle))
      candidates.push({ mood, musicStyle: info.musicStyle, good: 0, bad: 0 });
  }
  const open = candidates.filter(
    (c) =>
      (request.mood === undefined || c.mood === request.mood) &&
      (request.musicStyle === undefined || c.musicStyle === request.musicStyle) &&
      (request.musicStyle !== undefined || !disliked.has(c.musicStyle)),
  );
  if (open.length === 0) {
    // The request fixed a mood whose every known match is disliked: its usual music unless that is disliked too.
    const mood = request.mood ?? DEFAULT_MOOD;
    const usual = moodInfo(mood).musicStyle;
    const musicStyle = request.musicStyle ?? (disliked.has(usual) ? 'ambient' : usual);
    return {
      mood,
      musicStyle,
      source: 'memory',
      reason: `every tried match for ${mood} is disliked; using ${musicStyle}`,
      ...learned,
    };
  }

  const random = seededRandom(`style:${seed}`);
  let best: { candidate: Candidate; draw: number } | null = null;
  for (const candidate of open) {
    const draw = sampleBeta(1 + candidate.good, 1 + candidate.bad, random);
    if (!best || draw > best.draw) best = { candidate, draw };
  }
  const { candidate, draw } = best!;
  const avoided =
    disliked.size > 0 && request.musicStyle === undefined ? `; never ${[...disliked].join(', ')} (disliked)` : '';
  return {
    mood: candidate.mood,
    musicStyle: candidate.musicStyle,
    source: 'memory',
    reason: `sampled ${fmt(draw)} from Beta(${fmt(1 + candidate.good)},${fmt(1 + candidate.bad)}) for ${candidate.mood}+${candidate.musicStyle}, the best of ${open.length} candidates${avoided}`,
    ...learned,
  };
}
