import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allocPlanes, type Planes } from '../../../src/render/picture/planes.js';
import { mixBytes, overBytes, warp, type Window } from '../../../src/render/picture/warp.js';
import { WARP_WASM } from '../../../src/render/picture/warp-kernel.js';
import { seededRandom } from '../../../src/random.js';
import { compileKernel, KERNELS, kernelModule } from '../../../scripts/wasm.js';

/**
 * Bilinear resampling written plainly, sample by sample, with 1/256-pixel
 * weights: what the kernel must produce, byte for byte.
 */
function referencePlane(
  src: Uint8Array,
  srcW: number,
  srcH: number,
  dst: Uint8Array,
  dstW: number,
  dstH: number,
  win: Window,
): void {
  const taps = (length: number, start: number, step: number, srcLength: number) =>
    Array.from({ length }, (_, i) => {
      const s = Math.min(Math.max(start + (i + 0.5) * step - 0.5, 0), srcLength - 1);
      const base = Math.floor(s);
      return base >= srcLength - 1 ? { base: srcLength - 2, w: 256 } : { base, w: Math.round((s - base) * 256) };
    });
  const xs = taps(dstW, win.left, win.width / dstW, srcW);
  const ys = taps(dstH, win.top, win.height / dstH, srcH);
  const at = (x: number, y: number) => src[y * srcW + x]!;
  for (let row = 0; row < dstH; row++) {
    const { base: y, w: wy } = ys[row]!;
    for (let col = 0; col < dstW; col++) {
      const { base: x, w: wx } = xs[col]!;
      const top = at(x, y) * 256 + (at(x + 1, y) - at(x, y)) * wx;
      const bottom = at(x, y + 1) * 256 + (at(x + 1, y + 1) - at(x, y + 1)) * wx;
      dst[row * dstW + col] = Math.floor((top * 256 + (bottom - top) * wy + 32768) / 65536);
    }
  }
}

function texture(width: number, height: number, seed: string): Planes {
  const planes = allocPlanes(width, height);
  const random = seededRandom(seed);
  for (const plane of [planes.y, planes.u, planes.v])
    for (let i = 0; i < plane.length; i++) plane[i] = Math.floor(random() * 256);
  return planes;
}

describe('warp', () => {
  const source = texture(640, 360, 'warp-source');
  const cases: Array<{ name: string; width: number; height: number; win: Window }> = [
    {
      name: 'a zoomed-in window at sub-pixel offsets',
      width: 320,
      height: 180,
      win: { left: 100.37, top: 40.81, width: 300.5, height: 169.03 },
    },
    {
      name: 'a window over twice the output (resampled a column at a time)',
      width: 256,
      height: 144,
      win: { left: 3.2, top: 1.9, width: 630.1, height: 354.4 },
    },
    {
      name: 'a vertical frame whose chroma width is no multiple of 16',
      width: 108,
      height: 192,
      win: { left: 250.3, top: 0.6, width: 101.25, height: 180 },
    },
    {
      name: 'a window reaching past every edge',
      width: 96,
      height: 64,
      win: { left: -20.5, top: -11.25, width: 700, height: 400 },
    },
    {
      name: 'the whole picture, one to one',
      width: 640,
      height: 360,
      win: { left: 0, top: 0, width: 640, height: 360 },
    },
  ];
  it.each(cases)('$name: the kernel matches plain bilinear resampling byte for byte', ({ width, height, win }) => {
    const out = allocPlanes(width, height);
    warp(source, out, win);
    const expected = allocPlanes(width, height);
    referencePlane(source.y, 640, 360, expected.y, width, height, win);
    const half = { left: win.left / 2, top: win.top / 2, width: win.width / 2, height: win.height / 2 };
    referencePlane(source.u, 320, 180, expected.u, width >> 1, height >> 1, half);
    referencePlane(source.v, 320, 180, expected.v, width >> 1, height >> 1, half);
    for (const plane of ['y', 'u', 'v'] as const) {
      const mismatch = out[plane].findIndex((value, i) => value !== expected[plane][i]);
      expect(mismatch, `${plane} differs at ${mismatch}`).toBe(-1);
    }
  });

  it('moving the window by a fraction of a pixel moves the picture by that fraction', () => {
    // A horizontal ramp, 4 levels a pixel: a shift of a quarter pixel reads one level higher.
    const ramp = allocPlanes(64, 32);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) ramp.y[y * 64 + x] = 4 * x;
    const mean = (left: number) => {
      const out = allocPlanes(32, 16);
      warp(ramp, out, { left, top: 8, width: 32, height: 16 });
      return out.y.reduce((sum, value) => sum + value, 0) / out.y.length;
    };
    expect([0.25, 0.5, 0.75].map((fraction) => mean(10 + fraction) - mean(10))).toEqual([1, 2, 3]);
  });

  it('a cross-fade in the kernel rounds every byte as (a·(256 - w) + b·w + 128) >> 8', () => {
    const random = seededRandom('mix');
    const length = 1000 + 13; // no multiple of 16
    const a = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const b = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    for (const weight of [0, 0.25, 0.5, 0.731, 1]) {
      const out = new Uint8Array(length);
      mixBytes({ a, b, out, weight });
      const w = Math.round(weight * 256);
      expect(out).toEqual(Uint8Array.from(a, (value, i) => (value * (256 - w) + b[i]! * w + 128) >> 8));
    }
  });

  it('drawing over a plane rounds every byte as dst·(255 - a) + src·a over 255, and touches nothing outside its rectangle', () => {
    const random = seededRandom('over');
    const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));
    for (const [width, height, opacity] of [
      [37, 5, 256],
      [16, 3, 128],
      [5, 4, 1],
      [100, 7, 201],
    ] as const) {
      const planeWidth = width + 9;
      const plane = bytes(planeWidth * (height + 4));
      // Alpha runs through fully clear and fully opaque too.
      const [src, alpha] = [
        bytes(width * height),
        bytes(width * height).map((a, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? 255 : a)),
      ];
      const expected = plane.slice();
      for (let row = 0; row < height; row++) {
        for (let x = 0; x < width; x++) {
          const d = (row + 2) * planeWidth + x + 4;
          const a = (alpha[row * width + x]! * opacity) >> 8;
          expected[d] = Math.floor((expected[d]! * (255 - a) + src[row * width + x]! * a + 127) / 255);
        }
      }
      overBytes({ dst: plane, dstWidth: planeWidth, src, alpha, area: { left: 4, top: 2, width, height }, opacity });
      expect(Buffer.from(plane).equals(Buffer.from(expected)), `${width}×${height} at ${opacity}/256`).toBe(true);
    }
  });

  it('the kernel in the code is the one its text source compiles to', async () => {
    for (const kernel of KERNELS) {
      const binary = await compileKernel(kernel.source);
      expect(readFileSync(kernel.module, 'utf8'), 'run `npm run build:wasm`').toBe(kernelModule(kernel, binary));
    }
    expect(WARP_WASM.length).toBeGreaterThan(0);
  });
});
