import type { Shot, Transition } from '../../../schemas/run.js';

/**
 * Below this share of the photo kept by a crop to the frame's shape, the photo
 * is shown whole over a blurred copy of itself instead: a 4:3 landscape keeps
 * 75% in 1:1 and 60% in 4:5 (cropped), but only 42% in 9:16, and a 3:4
 * portrait 42% in 16:9 (filled, so its subject is never cut through).
 */
export const MIN_CROP_SHARE = 0.6;

/** Crop or blurred fill, from the photo's and the frame's shapes. */
export function chooseFraming(
  photo: { width: number; height: number },
  frame: { width: number; height: number },
): Shot['framing'] {
  const photoAspect = photo.width / photo.height;
  const frameAspect = frame.width / frame.height;
  const share = Math.min(photoAspect / frameAspect, frameAspect / photoAspect);
  return share >= MIN_CROP_SHARE ? 'crop' : 'fill';
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
