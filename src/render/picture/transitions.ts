import type { Transition } from '../../schemas/run.js';
import type { Planes } from './planes.js';
import { blendWeight, slideOffset, wipeWeight } from './transition-geometry.js';
import { mixBytes } from './warp.js';

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
  const weights = new Uint16Array(width);
  for (let x = 0; x < width; x++) weights[x] = Math.round(256 * wipeWeight(width, t, x));
  return weights;
}

/** Combines the outgoing (`a`) and incoming (`b`) frames at progress `t` (0..1) into `out`. */
export function combine(kind: Transition, a: Planes, b: Planes, out: Planes, t: number): void {
  // Even luma offsets, so the chroma planes (half width) move by exactly half.
  const lumaOffset = slideOffset(a.width, t);
  const planes = [
    ['y', a.width, a.height],
    ['u', a.width >> 1, a.height >> 1],
    ['v', a.width >> 1, a.height >> 1],
  ] as const;
  for (const [key, width, height] of planes) {
    if (kind === 'slide') {
      slidePlane(a[key], b[key], out[key], width, height, key === 'y' ? lumaOffset : lumaOffset >> 1);
    } else if (kind === 'wipe') {
      wipePlane(a[key], b[key], out[key], width, height, wipeWeights(width, t));
    } else {
      mixBytes({ a: a[key], b: b[key], out: out[key], weight: blendWeight(t) });
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
