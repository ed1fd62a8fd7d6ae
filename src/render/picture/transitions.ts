import type { Transition } from '../../schemas/run.js';
import type { Planes } from './planes.js';
import { mixBytes, type Window } from './warp.js';

/** How far the zoom-through pushes into the outgoing shot (and pulls back from in the incoming one). */
const ZOOM_THROUGH = 0.5;

/** Smoothstep: transitions start and end at rest. */
export const smooth = (t: number) => {
  const x = Math.min(1, Math.max(0, t));
  return x * x * (3 - 2 * x);
};

/** A window shrunk about its centre by `factor` (>1 zooms in). */
export function zoomWindow(win: Window, factor: number): Window {
  const width = win.width / factor;
  const height = win.height / factor;
  return { left: win.left + (win.width - width) / 2, top: win.top + (win.height - height) / 2, width, height };
}

/** The windows each shot is drawn with at transition progress `t`: only the zoom-through changes them. */
export function transitionWindows(kind: Transition, t: number, outgoing: Window, incoming: Window): [Window, Window] {
  if (kind !== 'zoom') return [outgoing, incoming];
  const p = smooth(t);
  return [zoomWindow(outgoing, 1 + ZOOM_THROUGH * p), zoomWindow(incoming, 1 + ZOOM_THROUGH * (1 - p))];
}

/** A push: the outgoing picture slides out to the left as the incoming one slides in from the right. */
function slidePlane(
  a: Uint8Array,
  b: Uint8Array,
  out: Uint8Array,
  width: number,
  height: number,
  offset: number,
): void {
  for (let row = 0; row < height; row++) {
    const base = row * width;
    out.set(a.subarray(base + offset, base + width), base);
    out.set(b.subarray(base, base + offset), base + width - offset);
  }
}

/** A soft-edged wipe from left to right; `weights` holds one weight per column. */
function wipePlane(
  a: Uint8Array,
  b: Uint8Array,
  out: Uint8Array,
  width: number,
  height: number,
  weights: Uint16Array,
): void {
  for (let row = 0; row < height; row++) {
    let i = row * width;
    for (let x = 0; x < width; x++, i++) {
      const w = weights[x]!;
      out[i] = (a[i]! * (256 - w) + b[i]! * w + 128) >> 8;
    }
  }
}

function wipeWeights(width: number, t: number): Uint16Array {
  const feather = Math.max(2, width * 0.06);
  const edge = -feather + (width + 2 * feather) * t;
  const weights = new Uint16Array(width);
  for (let x = 0; x < width; x++) weights[x] = Math.round(256 * smooth((edge - x) / feather + 0.5));
  return weights;
}

/** Combines the outgoing (`a`) and incoming (`b`) frames at progress `t` (0..1) into `out`. */
export function combine(kind: Transition, a: Planes, b: Planes, out: Planes, t: number): void {
  const p = smooth(t);
  // Even luma offsets, so the chroma planes (half width) move by exactly half.
  const lumaOffset = Math.min(a.width, Math.round(p * a.width) & ~1);
  const planes = [
    ['y', a.width, a.height],
    ['u', a.width >> 1, a.height >> 1],
    ['v', a.width >> 1, a.height >> 1],
  ] as const;
  for (const [key, width, height] of planes) {
    if (kind === 'slide') {
      slidePlane(a[key], b[key], out[key], width, height, key === 'y' ? lumaOffset : lumaOffset >> 1);
    } else if (kind === 'wipe') {
      wipePlane(a[key], b[key], out[key], width, height, wipeWeights(width, p));
    } else {
      mixBytes({ a: a[key], b: b[key], out: out[key], weight: p });
    }
  }
}

/** Fades toward black (limited range: Y 16, chroma 128) by `level` (1 = untouched). */
export function dim(planes: Planes, level: number): void {
  const k = Math.round(Math.min(1, Math.max(0, level)) * 256);
  const y = planes.y;
  for (let i = 0; i < y.length; i++) y[i] = 16 + (((y[i]! - 16) * k) >> 8);
  for (const c of [planes.u, planes.v]) for (let i = 0; i < c.length; i++) c[i] = 128 + (((c[i]! - 128) * k) >> 8);
}
