import { moodInfo } from '../../../style/styles.js';

/** The soundtrack's tempo and first beat: the music is synthesised on this grid and the cuts land on it. */
export interface BeatGrid {
  bpm: number;
  beatOffsetSec: number;
}

export const MIN_SHOT_SEC = 1.5;
export const MAX_TRANSITION_SEC = 0.6;
/** The music's first downbeat: half a second in, after the fade-in has begun (15 frames at 30 fps). */
const FIRST_BEAT_SEC = 0.5;
const BEATS_PER_BAR = 4;

/** The grid for a mood: its tempo, first beat at FIRST_BEAT_SEC. Deterministic, so a resumed run gets the same timeline. */
export function beatGridFor(mood: string): BeatGrid {
  return { bpm: moodInfo(mood).bpm, beatOffsetSec: FIRST_BEAT_SEC };
}

export interface Timeline {
  /** When each shot begins to appear (the first at 0, every other on a beat). */
  startSec: number[];
  /** How long each shot is on screen, its fade-in and fade-out included. */
  durationSec: number[];
}

/**
 * `count` shots (fewer if the music's beats leave no room) filling exactly
 * `durationSec`, every cut on a beat of `grid`: on bar lines when the shots
 * are a bar or longer, on every other beat when they are two beats or longer,
 * else on beats. Cuts are first put where even spacing wants them (snapped to
 * that unit), then pulled back so the last shot is long enough, then checked.
 */
export function beatTimeline(durationSec: number, count: number, grid: BeatGrid): Timeline {
  const beat = 60 / grid.bpm;
  for (let shots = Math.max(1, count); shots > 1; shots--) {
    const transitionSec = Math.min(MAX_TRANSITION_SEC, durationSec / shots / 3, beat * 0.75);
    const minBeats = Math.max(1, Math.ceil((MIN_SHOT_SEC - transitionSec) / beat - 1e-9));
    const slot = (durationSec - transitionSec) / shots;
    const unit = slot >= BEATS_PER_BAR * beat * 0.9 ? BEATS_PER_BAR : slot >= 2 * beat * 0.9 ? 2 : 1;
    const beatAt = (n: number) => grid.beatOffsetSec + n * beat;
    const cuts: number[] = [];
    for (let i = 1; i < shots; i++) {
      const ideal = (i * slot - grid.beatOffsetSec) / beat;
      cuts.push(Math.max(0, Math.round(ideal / unit) * unit));
    }
    // Forward: every shot at least minBeats long (the first from 0).
    const firstMin = Math.max(0, Math.ceil((MIN_SHOT_SEC - transitionSec - grid.beatOffsetSec) / beat - 1e-9));
    cuts[0] = Math.max(cuts[0]!, firstMin);
    for (let i = 1; i < cuts.length; i++) cuts[i] = Math.max(cuts[i]!, cuts[i - 1]! + minBeats);
    // Backward: the last shot needs MIN_SHOT_SEC after its cut.
    let limit = Math.floor((durationSec - MIN_SHOT_SEC - grid.beatOffsetSec) / beat + 1e-9);
    for (let i = cuts.length - 1; i >= 0; i--) {
      cuts[i] = Math.min(cuts[i]!, limit);
      limit = cuts[i]! - minBeats;
    }
    const valid = cuts[0]! >= firstMin && cuts.every((n, i) => i === 0 || n - cuts[i - 1]! >= minBeats);
    if (!valid) continue;
    const startSec = [0, ...cuts.map(beatAt)].map(round3);
    const durations = startSec.map((start, i) =>
      round3((i + 1 < startSec.length ? startSec[i + 1]! + transitionSec : durationSec) - start),
    );
    return { startSec, durationSec: durations };
  }
  return { startSec: [0], durationSec: [durationSec] };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
