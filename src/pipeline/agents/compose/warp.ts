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

function axisTaps(outLength: number, start: number, step: number, srcLength: number): { index: Int32Array; weight: Int32Array } {
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

function warpPlane(src: Uint8Array, srcW: number, srcH: number, dst: Uint8Array, dstW: number, dstH: number, win: Window): void {
  const xs = axisTaps(dstW, win.left, win.width / dstW, srcW);
  const ys = axisTaps(dstH, win.top, win.height / dstH, srcH);
  const xi = xs.index;
  const xw = xs.weight;
  for (let row = 0; row < dstH; row++) {
    const a = ys.index[row]! * srcW;
    const b = a + srcW;
    const wy = ys.weight[row]!;
    const wy0 = ONE - wy;
    let o = row * dstW;
    for (let x = 0; x < dstW; x++, o++) {
      const i = xi[x]!;
      const wx = xw[x]!;
      const wx0 = ONE - wx;
      const top = src[a + i]! * wx0 + src[a + i + 1]! * wx;
      const bottom = src[b + i]! * wx0 + src[b + i + 1]! * wx;
      dst[o] = (top * wy0 + bottom * wy + 32768) >> 16;
    }
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
