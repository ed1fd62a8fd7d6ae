import type { Planes } from './planes.js';
import { overBytes } from './warp.js';

/**
 * A picture with alpha placed on the frame (text with its shadow), kept as
 * BT.709 limited-range YUV with one alpha per luma sample and one per chroma
 * sample, so blending it costs only its own area.
 */
export interface Overlay {
  left: number;
  top: number;
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  alpha: Uint8Array;
  chromaAlpha: Uint8Array;
}

const KR = 0.2126;
const KB = 0.0722;
const KG = 1 - KR - KB;

/** Straight (not premultiplied) RGBA to an overlay at an even position. Width and height must be even. */
export function rgbaToOverlay(rgba: Uint8Array, width: number, height: number, left: number, top: number): Overlay {
  const cw = width >> 1;
  const ch = height >> 1;
  const overlay: Overlay = {
    left: left & ~1,
    top: top & ~1,
    width,
    height,
    y: new Uint8Array(width * height),
    u: new Uint8Array(cw * ch),
    v: new Uint8Array(cw * ch),
    alpha: new Uint8Array(width * height),
    chromaAlpha: new Uint8Array(cw * ch),
  };
  for (let i = 0; i < width * height; i++) {
    overlay.y[i] = Math.round(16 + (219 / 255) * (KR * rgba[i * 4]! + KG * rgba[i * 4 + 1]! + KB * rgba[i * 4 + 2]!));
    overlay.alpha[i] = rgba[i * 4 + 3]!;
  }
  for (let row = 0; row < ch; row++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = 0; k < 4; k++) {
        const i = ((row * 2 + (k >> 1)) * width + x * 2 + (k & 1)) * 4;
        const weight = rgba[i + 3]!;
        r += rgba[i]! * weight;
        g += rgba[i + 1]! * weight;
        b += rgba[i + 2]! * weight;
        a += weight;
      }
      const o = row * cw + x;
      overlay.chromaAlpha[o] = Math.round(a / 4);
      if (a === 0) {
        overlay.u[o] = 128;
        overlay.v[o] = 128;
        continue;
      }
      [r, g, b] = [r / a, g / a, b / a];
      const luma = KR * r + KG * g + KB * b;
      overlay.u[o] = Math.round(128 + (224 / 255) * ((b - luma) / (2 * (1 - KB))));
      overlay.v[o] = Math.round(128 + (224 / 255) * ((r - luma) / (2 * (1 - KR))));
    }
  }
  return overlay;
}

/** Draws the overlay onto the frame at `opacity` (0..1). The overlay must lie inside the frame. */
export function blendOverlay(frame: Planes, overlay: Overlay, opacity: number): void {
  if (opacity <= 0) return;
  const { left, top, width, height } = overlay;
  const k = Math.round(opacity * 256);
  const chroma = { left: left >> 1, top: top >> 1, width: width >> 1, height: height >> 1 };
  overBytes({
    dst: frame.y,
    dstWidth: frame.width,
    src: overlay.y,
    alpha: overlay.alpha,
    area: { left, top, width, height },
    opacity: k,
  });
  overBytes({
    dst: frame.u,
    dstWidth: frame.width >> 1,
    src: overlay.u,
    alpha: overlay.chromaAlpha,
    area: chroma,
    opacity: k,
  });
  overBytes({
    dst: frame.v,
    dstWidth: frame.width >> 1,
    src: overlay.v,
    alpha: overlay.chromaAlpha,
    area: chroma,
    opacity: k,
  });
}
