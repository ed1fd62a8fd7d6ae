import { chooseFraming } from '../../../render/picture/framing.js';
import type { Media } from '../../../schemas/media.js';
import type { Shot, Transition } from '../../../schemas/run.js';
import { takenAtMs } from './taken-at.js';

type Size = { width: number; height: number };

/** Two portrait photos taken within this long of each other, in one scene and place, are one moment. */
export const PAIR_WINDOW_MS = 15 * 60_000;

/**
 * In a landscape frame, each two neighbouring portrait photos of one moment
 * share one shot, side by side (framing `pair`), where each photo's subject
 * fits its half: a portrait keeps three quarters of itself in half of a 16:9
 * frame, against two fifths in a crop to the whole frame, and no blurred fill.
 * The shot takes both photos' time, from the first's start to the second's
 * end, and keeps the first's caption and place.
 * A pair never spans a chapter's start, so chapters stay on shot boundaries.
 * Its canvas has the frame's shape, so its motion is a zoom.
 */
export function pairPortraits(
  shots: Shot[],
  media: ReadonlyMap<string, Pick<Media, 'width' | 'height' | 'takenAt'>>,
  frame: Size,
  chapterStarts: ReadonlySet<number>,
): Shot[] {
  if (frame.width <= frame.height) return shots;
  const half = { width: frame.width / 2, height: frame.height };
  const candidate = (shot: Shot | undefined) => {
    const item = shot?.mediaId ? media.get(shot.mediaId) : undefined;
    const portrait = shot?.kind === 'photo' && shot.framing !== 'pair' && item && item.height > item.width;
    return portrait && chooseFraming(item, half, shot.focus).framing === 'crop' ? item : null;
  };
  const paired: Shot[] = [];
  for (let i = 0; i < shots.length; i++) {
    const [a, b] = [shots[i]!, shots[i + 1]];
    const [first, second] = [candidate(a), candidate(b)];
    const [at, bt] = [takenAtMs(first?.takenAt ?? null), takenAtMs(second?.takenAt ?? null)];
    const oneMoment =
      b !== undefined &&
      at !== null &&
      bt !== null &&
      Math.abs(bt - at) <= PAIR_WINDOW_MS &&
      a.scene === b.scene &&
      a.place === b.place &&
      !chapterStarts.has(b.startSec);
    if (!oneMoment) {
      paired.push(a);
      continue;
    }
    paired.push({
      ...a,
      durationSec: b.startSec + b.durationSec - a.startSec,
      motion: a.motion === 'zoom-out' ? 'zoom-out' : 'zoom-in',
      framing: 'pair',
      framingReason: 'portrait_pair',
      pair: { mediaId: b.mediaId!, focus: b.focus },
    });
    i++;
  }
  return paired;
}

const TRANSITION_BY_MOOD: Record<string, Transition> = {
  calm: 'crossfade',
  nostalgic: 'crossfade',
  romantic: 'crossfade',
  happy: 'slide',
  adventurous: 'slide',
  energetic: 'zoom',
  dramatic: 'wipe',
};

/** Gentle moods dissolve; lively ones push, zoom through, or wipe. */
export const transitionForMood = (mood: string): Transition => TRANSITION_BY_MOOD[mood] ?? 'crossfade';
