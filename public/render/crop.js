// Made by `npm run build:page` from src/render/picture/crop.ts: edit that file, then run it again.
import { CANVAS_HEADROOM } from './motion.js';
const even = (value) => Math.max(2, Math.round(value / 2) * 2);
/** The canvas a shot's motion moves over: the frame plus headroom, in the frame's shape. */
export function canvasSize(frame) {
  return { width: even(frame.width * CANVAS_HEADROOM), height: even(frame.height * CANVAS_HEADROOM) };
}
/**
 * How far past the frame's shape a cropped shot's canvas reaches along a photo
 * wider (or taller) than the frame, so a pan moves across the scene; the pan's
 * own smoothness cap (motion.ts) limits how much of it a short shot crosses.
 */
const PAN_REACH = 1.5;
/** A canvas reaches further only for a photo a crop to the frame's shape keeps at most this share of. */
const MAX_SHARE_KEPT_TO_REACH = 0.75;
/**
 * The canvas of one shot: the frame's canvas, reaching further along a photo
 * much wider (or taller) than the frame when the shot crops it and pans that
 * way. A photo close to the frame's shape (a 3:2 in 16:9) keeps the canvas in
 * the frame's shape: there is little more to cross, and a faster pan for it
 * would only cost smoothness.
 */
export function shotCanvasSize(frame, photo, shot) {
  const base = canvasSize(frame);
  if (shot.framing === 'fill' || shot.framing === 'pair') return base;
  const photoAspect = photo.width / photo.height;
  const aspect = base.width / base.height;
  if (Math.min(photoAspect / aspect, aspect / photoAspect) > MAX_SHARE_KEPT_TO_REACH) return base;
  const sideways = shot.motion === 'pan-left' || shot.motion === 'pan-right';
  const upDown = shot.motion === 'pan-up' || shot.motion === 'pan-down';
  if (sideways && photoAspect > aspect)
    return { width: even(Math.min(base.width * PAN_REACH, base.height * photoAspect)), height: base.height };
  if (upDown && photoAspect < aspect)
    return { width: base.width, height: even(Math.min(base.height * PAN_REACH, base.width / photoAspect)) };
  return base;
}
/** Where a photo without a known subject is taken to have it. */
export const CENTRE = { x: 0.45, y: 0.45, width: 0.1, height: 0.1 };
/** The crop of the photo in the canvas's shape, as large as possible and centred on the focus where the edges allow. */
export function cropRect(photo, canvas, focus) {
  const scale = Math.min(photo.width / canvas.width, photo.height / canvas.height);
  const width = Math.min(photo.width, Math.round(canvas.width * scale));
  const height = Math.min(photo.height, Math.round(canvas.height * scale));
  const cx = (focus.x + focus.width / 2) * photo.width;
  const cy = (focus.y + focus.height / 2) * photo.height;
  const left = Math.round(Math.min(photo.width - width, Math.max(0, cx - width / 2)));
  const top = Math.round(Math.min(photo.height - height, Math.max(0, cy - height / 2)));
  return { left, top, width, height };
}
