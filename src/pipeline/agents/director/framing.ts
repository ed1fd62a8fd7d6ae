import type { Media } from '../../../schemas/media.js';
import type { Shot, Transition } from '../../../schemas/run.js';
import { takenAtMs } from './taken-at.js';

/**
 * Without a known subject, below this share of the photo kept by a crop to the
 * frame's shape the photo is shown whole over a blurred copy of itself: a 4:3
 * landscape keeps 75% in 1:1 and 60% in 4:5, but only 42% in 9:16.
 */
export const MIN_CROP_SHARE = 0.6;
/**
 * The closest a shot's motion looks (a zoom's close end, see render/picture/motion.ts: the window is the canvas
 * shrunk by 1.2): the subject must fit that window, not only the whole crop, to stay whole in every frame.
 */
const CLOSEST_WINDOW = 1 / 1.2;

type Region = NonNullable<Shot['focus']>;
type Size = { width: number; height: number };

/**
 * Crop or blurred fill, and why. A shot crops the photo to the frame's shape
 * around its subject and fills the frame whenever the subject fits inside that
 * crop (at the motion's closest); the blurred fill is kept for a subject wider
 * or taller than any such crop. With no subject known, a crop must keep most
 * of the photo instead.
 */
export function chooseFraming(
  photo: Size,
  frame: Size,
  subject: Region | null,
): { framing: 'crop' | 'fill'; framingReason: NonNullable<Shot['framingReason']> } {
  const photoAspect = photo.width / photo.height;
  const frameAspect = frame.width / frame.height;
  if (!subject) {
    const share = Math.min(photoAspect / frameAspect, frameAspect / photoAspect);
    return share >= MIN_CROP_SHARE
      ? { framing: 'crop', framingReason: 'most_kept' }
      : { framing: 'fill', framingReason: 'too_much_lost' };
  }
  // The largest crop in the frame's shape, as shares of the photo's width and height.
  const cropWidth = Math.min(1, frameAspect / photoAspect);
  const cropHeight = Math.min(1, photoAspect / frameAspect);
  const fits = subject.width <= cropWidth * CLOSEST_WINDOW && subject.height <= cropHeight * CLOSEST_WINDOW;
  return fits
    ? { framing: 'crop', framingReason: 'subject_fits' }
    : { framing: 'fill', framingReason: 'subject_too_large' };
}

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
