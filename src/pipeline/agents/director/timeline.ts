import { moodInfo } from '../../../style/styles.js';
import { placeCuts, type LengthRange } from './beat-cuts.js';

/** The soundtrack's tempo and first beat: the music is synthesised on this grid and the cuts land on it. */
export interface BeatGrid {
  bpm: number;
  beatOffsetSec: number;
}

export const MIN_SHOT_SEC = 1.5;
export const MAX_TRANSITION_SEC = 0.6;
/** A clip's moment: at least this long on screen (unless the clip is shorter)… */
export const CLIP_MIN_SEC = 2;
/** …and at most this long, so a clip shows its moment, not its whole take. */
export const CLIP_MAX_SEC = 6;
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

/** How long a shot may be on screen, its fades included. */
export interface ShotBounds {
  minSec: number;
  maxSec: number;
}

/** A photo (or the map) lasts what the grid gives it, never under MIN_SHOT_SEC. */
export const PHOTO_BOUNDS: ShotBounds = { minSec: MIN_SHOT_SEC, maxSec: Infinity };

/** A clip of `clipSec` (a Live Photo's motion too): its 2–6 s moment, or its whole length when shorter than 2 s. */
export const clipBounds = (clipSec: number): ShotBounds => ({
  minSec: Math.min(CLIP_MIN_SEC, clipSec),
  maxSec: Math.min(CLIP_MAX_SEC, clipSec),
});

/**
 * `count` photo shots (fewer if the music's beats leave no room) filling exactly `durationSec`, every cut on a
 * beat of `grid`, as `boundedTimeline` places them.
 */
export function beatTimeline(durationSec: number, count: number, grid: BeatGrid): Timeline {
  for (let shots = Math.max(1, count); shots > 1; shots--) {
    const timeline = boundedTimeline(durationSec, Array<ShotBounds>(shots).fill(PHOTO_BOUNDS), grid);
    if (timeline) return timeline;
  }
  return whole(durationSec);
}

/**
 * One shot per entry of `bounds`, filling exactly `durationSec`, every cut on a beat of `grid`; null when the
 * beats leave no room for them all. The shots overlap by one transition; a shot's length counts both its fades.
 *
 * Each bounded shot (a clip) wants the even share of the video clamped into its bounds, and the unbounded ones
 * (photos, the map) share what is left equally. Cuts go where those lengths put them, on bar lines when the
 * photos' shots are a bar or longer, on every other beat when they are two beats or longer, else on beats; a cut
 * leaves that unit only where the shots' lengths need it, or where a clip gets much nearer its length by it (see
 * `placeCuts`).
 *
 * Bounds on the grid: a shot's length moves in whole beats, so a minimum is rounded up to the next length on the grid
 * (2 s at 80 bpm, a beat of 0.75 s and a transition of 0.56 s, is 2.06 s). A maximum is never exceeded, as a clip must
 * not run out of frames: when no length on the grid falls between the two (a 2.2 s clip at 70 bpm), the shot is the
 * longest one under the maximum, even if that is under the minimum; when even one beat and a transition is longer than
 * the maximum (a clip under 0.8–1.5 s, by tempo), the shot is that long and its clip holds its last frame. Lengths are
 * kept 2 ms under a maximum so that rounding the times to milliseconds cannot overshoot it.
 */
export function boundedTimeline(durationSec: number, bounds: ShotBounds[], grid: BeatGrid): Timeline | null {
  const shots = bounds.length;
  const beat = 60 / grid.bpm;
  if (shots <= 1) {
    const only = bounds[0] ?? PHOTO_BOUNDS;
    return durationSec >= only.minSec && durationSec <= only.maxSec ? whole(durationSec) : null;
  }
  const transitionSec = Math.min(MAX_TRANSITION_SEC, durationSec / shots / 3, beat * 0.75);
  const targets = targetLengths(durationSec, bounds, transitionSec);
  const cuts = placeCuts({
    durationSec,
    grid,
    transitionSec,
    ideal: idealCuts(targets, transitionSec),
    unit: unitFor(targets, bounds, { beat, transitionSec }),
    lengths: bounds.map((shot, i) => ({
      ...lengthRange(shot, { beat, transitionSec }),
      ...(shot.maxSec === Infinity ? {} : { want: targets[i]! }),
    })),
  });
  if (!cuts) return null;
  const startSec = [0, ...cuts.map((n) => grid.beatOffsetSec + n * beat)].map(round3);
  const durations = startSec.map((start, i) =>
    round3((i + 1 < startSec.length ? startSec[i + 1]! + transitionSec : durationSec) - start),
  );
  return { startSec, durationSec: durations };
}

const LENGTH_MARGIN_SEC = 0.002;

/**
 * The lengths a shot of `bounds` may have on a grid whose lengths are a beat apart: never over the maximum (nor
 * under one beat and a transition, the shortest a shot between two cuts can be); at least the minimum, unless no
 * length on the grid lies between the two, when the range is the beat under the maximum (holding just one length).
 */
function lengthRange(
  bounds: ShotBounds,
  { beat, transitionSec }: { beat: number; transitionSec: number },
): LengthRange {
  const most = Math.max(bounds.maxSec - LENGTH_MARGIN_SEC, transitionSec + beat);
  return { above: Math.min(bounds.minSec - 1e-9, most - beat), most };
}

const whole = (durationSec: number): Timeline => ({ startSec: [0], durationSec: [durationSec] });

/** The length each shot wants: a bounded shot the even share clamped to its bounds, the others what is left. */
function targetLengths(durationSec: number, bounds: ShotBounds[], transitionSec: number): number[] {
  const total = durationSec + (bounds.length - 1) * transitionSec;
  const share = total / bounds.length;
  const free = bounds.filter((shot) => shot.maxSec === Infinity).length;
  if (free === 0 || free === bounds.length) return bounds.map(() => share);
  const clamped = bounds.map((shot) => Math.min(shot.maxSec, Math.max(shot.minSec, share)));
  const bounded = clamped.reduce((sum, length, i) => (bounds[i]!.maxSec === Infinity ? sum : sum + length), 0);
  const rest = (total - bounded) / free;
  return bounds.map((shot, i) => (shot.maxSec === Infinity ? rest : clamped[i]!));
}

/** Where each cut falls when every shot has its target length, in seconds. */
function idealCuts(targets: number[], transitionSec: number): number[] {
  let at = 0;
  return targets.slice(0, -1).map((length) => (at += length - transitionSec));
}

/** The grid the cuts keep to, in beats, by the length of the photos' shots (of all, without photos): 4, 2 or 1. */
function unitFor(
  targets: number[],
  bounds: ShotBounds[],
  { beat, transitionSec }: { beat: number; transitionSec: number },
): number {
  const photo = targets.find((_, i) => bounds[i]!.maxSec === Infinity) ?? targets[0]!;
  const gap = photo - transitionSec;
  return gap >= BEATS_PER_BAR * beat * 0.9 ? BEATS_PER_BAR : gap >= 2 * beat * 0.9 ? 2 : 1;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
