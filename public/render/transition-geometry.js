// Made by `npm run build:page` from src/render/picture/transition-geometry.ts: edit that file, then run it again.
/** How far the zoom-through pushes into the outgoing shot (and pulls back from in the incoming one). */
const ZOOM_THROUGH = 0.5;
/** Smoothstep: transitions start and end at rest. */
export const smooth = (t) => {
  const x = Math.min(1, Math.max(0, t));
  return x * x * (3 - 2 * x);
};
/** A window shrunk about its centre by `factor` (>1 zooms in). */
export function zoomWindow(win, factor) {
  const width = win.width / factor;
  const height = win.height / factor;
  return { left: win.left + (win.width - width) / 2, top: win.top + (win.height - height) / 2, width, height };
}
/** The windows each shot is drawn with at transition progress `t`: only the zoom-through changes them. */
export function transitionWindows(kind, t, outgoing, incoming) {
  if (kind !== 'zoom') return [outgoing, incoming];
  const p = smooth(t);
  return [zoomWindow(outgoing, 1 + ZOOM_THROUGH * p), zoomWindow(incoming, 1 + ZOOM_THROUGH * (1 - p))];
}
/** A push: how far (in pixels, even) the outgoing picture has slid out to the left, and the incoming one in. */
export const slideOffset = (width, t) => Math.min(width, Math.round(smooth(t) * width) & ~1);
/**
 * A wipe from left to right with a soft edge: the incoming picture's weight (0..1) in column `x`, its edge
 * crossing the frame as the transition goes.
 */
export function wipeWeight(width, t, x) {
  const feather = Math.max(2, width * 0.06);
  const edge = -feather + (width + 2 * feather) * smooth(t);
  return smooth((edge - x) / feather + 0.5);
}
/** How much of the incoming picture a blend (crossfade, zoom-through) shows at progress `t`. */
export const blendWeight = (t) => smooth(t);
