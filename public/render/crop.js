// Made by `npm run build:page` from src/render/picture/crop.ts: edit that file, then run it again.
import { CANVAS_HEADROOM } from './motion.js';
const even = (value) => Math.max(2, Math.round(value / 2) * 2);
/** The canvas a shot's motion moves over: the frame plus headroom, in the frame's shape. */
export function canvasSize(frame) {
  return { width: even(frame.width * CANVAS_HEADROOM), height: even(frame.height * CANVAS_HEADROOM) };
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
