// Made by `npm run build:page` from src/render/picture/motion.ts: edit that file, then run it again.
/** Photos are prepared this much larger than the frame, so the motion has room to move without upscaling. */
export const CANVAS_HEADROOM = 1.25;
/** How far a zoom goes: the window shrinks from the whole canvas by this factor. */
const ZOOM = 1.2;
/** A pan looks through a window this much smaller than the canvas. */
const PAN_ZOOM = 1.12;
/** Share of the motion that is eased (the rest moves at constant speed), so it starts and stops gently. */
const EASE_SHARE = 0.5;
/**
 * Largest travel, in output pixels, for a motion `frames` long: the easing's
 * own acceleration (about EASE_SHARE·√12·travel/frames²) stays near
 * 0.035 px/frame², well under what a viewer sees as judder, at any resolution.
 */
export const maxTravel = (frames) => 0.015 * frames * frames;
/** 0→1 with zero acceleration jumps inside the shot: part linear, part smoothstep. */
export function ease(p) {
  const t = Math.min(1, Math.max(0, p));
  return (1 - EASE_SHARE) * t + EASE_SHARE * t * t * (3 - 2 * t);
}
/** The range of positions [lo, hi] for a window `size` long that keeps [fLo, fHi] inside and stays on the canvas. */
function allowedRange(canvas, size, fLo, fHi) {
  const lo = Math.max(0, Math.min(fHi - size, canvas - size));
  const hi = Math.min(canvas - size, Math.max(0, fLo));
  return lo <= hi ? [lo, hi] : [(lo + hi) / 2, (lo + hi) / 2];
}
const clamp = (value, lo, hi) => Math.min(hi, Math.max(lo, value));
function windowAt(scale, frame, left, top) {
  return { left, top, width: frame.width * scale, height: frame.height * scale };
}
/** Start and end windows of a pan along one axis, shortened to keep the focus in view and the motion smooth. */
function panEnds(motion, canvas, frame, focus, frames) {
  const scale = CANVAS_HEADROOM / PAN_ZOOM;
  const horizontal = motion === 'pan-left' || motion === 'pan-right';
  const size = horizontal ? frame.width * scale : frame.height * scale;
  const cross = horizontal ? frame.height * scale : frame.width * scale;
  const [lo, hi] = horizontal
    ? allowedRange(canvas.width, size, focus.left, focus.left + focus.width)
    : allowedRange(canvas.height, size, focus.top, focus.top + focus.height);
  const travel = Math.min(hi - lo, maxTravel(frames) * scale);
  const middle = (lo + hi) / 2;
  const [a, b] = [middle - travel / 2, middle + travel / 2];
  const [start, end] = motion === 'pan-right' || motion === 'pan-down' ? [a, b] : [b, a];
  const crossCentre = horizontal ? focus.top + focus.height / 2 : focus.left + focus.width / 2;
  const crossPos = clamp(
    crossCentre - cross / 2,
    ...(horizontal
      ? allowedRange(canvas.height, cross, focus.top, focus.top + focus.height)
      : allowedRange(canvas.width, cross, focus.left, focus.left + focus.width)),
  );
  return horizontal
    ? { from: windowAt(scale, frame, start, crossPos), to: windowAt(scale, frame, end, crossPos) }
    : { from: windowAt(scale, frame, crossPos, start), to: windowAt(scale, frame, crossPos, end) };
}
/** The whole canvas and a closer window around the focus, its centre moved no further than smoothness allows. */
function zoomEnds(motion, canvas, frame, focus, frames) {
  const wide = windowAt(
    CANVAS_HEADROOM,
    frame,
    (canvas.width - frame.width * CANVAS_HEADROOM) / 2,
    (canvas.height - frame.height * CANVAS_HEADROOM) / 2,
  );
  const scale = CANVAS_HEADROOM / ZOOM;
  const w = frame.width * scale;
  const h = frame.height * scale;
  const [xlo, xhi] = allowedRange(canvas.width, w, focus.left, focus.left + focus.width);
  const [ylo, yhi] = allowedRange(canvas.height, h, focus.top, focus.top + focus.height);
  // Nearest position to the centred one that keeps the focus in view, then pulled back toward centre within the travel cap.
  let left = clamp((canvas.width - w) / 2, xlo, xhi);
  let top = clamp((canvas.height - h) / 2, ylo, yhi);
  const limit = maxTravel(frames) * scale;
  const dx = left - (canvas.width - w) / 2;
  const dy = top - (canvas.height - h) / 2;
  const distance = Math.hypot(dx, dy);
  if (distance > limit) {
    left = (canvas.width - w) / 2 + (dx * limit) / distance;
    top = (canvas.height - h) / 2 + (dy * limit) / distance;
  }
  const close = windowAt(scale, frame, left, top);
  return motion === 'zoom-in' ? { from: wide, to: close } : { from: close, to: wide };
}
/**
 * The window on the canvas for each frame of a shot `frames` long. Zooms
 * interpolate the window's size geometrically (a steady zoom looks steady),
 * pans its position; both eased, and with the focus inside at every frame
 * (true at both ends, and every window edge moves monotonically between them).
 */
export function motionPath(motion, canvas, frame, focus, frames) {
  const f = focus ?? { left: canvas.width / 2, top: canvas.height / 2, width: 0, height: 0 };
  const { from, to } = motion.startsWith('pan')
    ? panEnds(motion, canvas, frame, f, frames)
    : zoomEnds(motion, canvas, frame, f, frames);
  const last = Math.max(1, frames - 1);
  return (index) => {
    const p = ease(index / last);
    const width = from.width * (to.width / from.width) ** p;
    // Edges interpolate with the size's own progress, so the focus stays between them.
    const q = from.width === to.width ? p : (width - from.width) / (to.width - from.width);
    return {
      left: from.left + (to.left - from.left) * q,
      top: from.top + (to.top - from.top) * q,
      width,
      height: from.height * (width / from.width),
    };
  };
}
