import type { Planes } from './planes.js';

/** A source rectangle in the picture's own pixels, mapped onto the whole output frame. */
export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Fixed-point weights: 1/256 of a pixel is finer than any visible step. */
const ONE = 256;

/** Per output sample along one axis: the first of its two source samples, and the second one's weight. */
interface Taps {
  index: Int32Array;
  weight: Int32Array;
}

function axisTaps(outLength: number, start: number, step: number, srcLength: number): Taps {
  const index = new Int32Array(outLength);
  const weight = new Int32Array(outLength);
  for (let i = 0; i < outLength; i++) {
    // Pixel centres: output pixel i covers source position start + (i + 0.5) * step.
    let s = start + (i + 0.5) * step - 0.5;
    if (s < 0) s = 0;
    if (s > srcLength - 1) s = srcLength - 1;
    let base = Math.floor(s);
    let w = Math.round((s - base) * ONE);
    if (base >= srcLength - 1) {
      base = srcLength - 2;
      w = ONE;
    }
    index[i] = base;
    weight[i] = w;
  }
  return { index, weight };
}

/**
 * One output row from two source rows: `a + (b - a)·w` across, then down.
 * Written as differences (one multiply per tap) on row views, which is what
 * keeps this loop, the renderer's hottest, cheap.
 */
function warpRow(above: Uint8Array, below: Uint8Array, wy: number, xs: Taps, dst: Uint8Array, offset: number, width: number): void {
  const xi = xs.index;
  const xw = xs.weight;
  for (let x = 0; x < width; x++) {
    const i = xi[x]!;
    const wx = xw[x]!;
    const p = above[i]!;
    const q = below[i]!;
    const top = (p << 8) + (above[i + 1]! - p) * wx;
    const bottom = (q << 8) + (below[i + 1]! - q) * wx;
    dst[offset + x] = ((top << 8) + (bottom - top) * wy + 32768) >> 16;
  }
}

function warpPlane(src: Uint8Array, srcW: number, srcH: number, dst: Uint8Array, dstW: number, dstH: number, win: Window): void {
  const xs = axisTaps(dstW, win.left, win.width / dstW, srcW);
  const ys = axisTaps(dstH, win.top, win.height / dstH, srcH);
  for (let row = 0; row < dstH; row++) {
    const a = ys.index[row]! * srcW;
    warpRow(src.subarray(a, a + srcW), src.subarray(a + srcW, a + 2 * srcW), ys.weight[row]!, xs, dst, row * dstW, dstW);
  }
}

/**
 * Resamples `win` of `src` onto the whole of `dst` with bilinear weights at
 * 1/256-pixel precision, so a window that moves by a fraction of a pixel moves
 * the picture by that fraction (zoompan rounds to whole pixels, which judders).
 */
export function warp(src: Planes, dst: Planes, win: Window): void {
  warpPlane(src.y, src.width, src.height, dst.y, dst.width, dst.height, win);
  const half = { left: win.left / 2, top: win.top / 2, width: win.width / 2, height: win.height / 2 };
  warpPlane(src.u, src.width >> 1, src.height >> 1, dst.u, dst.width >> 1, dst.height >> 1, half);
  warpPlane(src.v, src.width >> 1, src.height >> 1, dst.v, dst.width >> 1, dst.height >> 1, half);
}
