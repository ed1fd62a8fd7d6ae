import type { Shot } from '../../schemas/run.js';

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
