import type { Planes } from './planes.js';
import { WARP_WASM } from './warp-kernel.js';

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
 * The column taps by blocks of eight, as the kernel's block path reads them:
 * each block's first source index, the others as offsets from it, and the
 * weights. False when some block reaches sixteen or more source bytes (a
 * window shrinking the picture by two or more), which the kernel then resamples
 * a column at a time.
 */
function fillBlocks(xs: Taps, first: Int32Array, offsets: Uint8Array, weights: Int16Array): boolean {
  const width = xs.index.length;
  offsets.fill(0);
  weights.fill(0);
  for (let block = 0; block < first.length; block++) {
    const start = block * 8;
    const base = xs.index[start]!;
    if (xs.index[Math.min(width, start + 8) - 1]! + 1 - base > 15) return false;
    first[block] = base;
    for (let x = start; x < Math.min(width, start + 8); x++) {
      offsets[x] = xs.index[x]! - base;
      weights[x] = xs.weight[x]!;
    }
  }
  return true;
}

/**
 * The kernel's exports (warp.wat), each parameter named as it is there. Every
 * address is a byte offset into `memory`; every other value is an i32.
 */
interface PlaneCall {
  /** The source rows the output reaches, `srcWidth` bytes each. */
  rows: number;
  srcWidth: number;
  /** The output plane, `width` × `height` bytes. */
  out: number;
  width: number;
  height: number;
  /** Per output column and row: the first source sample's index and the second's weight (i32 each, weights in 1/256). */
  columnIndex: number;
  columnWeight: number;
  rowIndex: number;
  rowWeight: number;
  /** Scratch rows of 2 bytes per output column, rounded up to 16 columns. */
  above: number;
  below: number;
  /** Resample across by blocks of eight columns (see fillBlocks), with each block's first index, offsets and weights. */
  blocks: boolean;
  blockFirst: number;
  blockOffsets: number;
  blockWeights: number;
}

interface MixCall {
  a: number;
  b: number;
  out: number;
  length: number;
  /** b's weight in 1/256. */
  weight: number;
}

interface OverCall {
  /** The plane's area drawn over, `width` × `height` bytes in rows `stride` apart. */
  dst: number;
  stride: number;
  src: number;
  alpha: number;
  width: number;
  height: number;
  /** Opacity in 1/256. */
  k: number;
}

interface Kernel {
  memory: WebAssembly.Memory;
  plane: (call: PlaneCall) => void;
  mix: (call: MixCall) => void;
  over: (call: OverCall) => void;
}

/** An export of the kernel, checked to take `params` i32s (a wasm function's length is its parameter count). */
function exported(exports: WebAssembly.Exports, name: string, params: number): (...args: number[]) => unknown {
  const found = exports[name];
  if (typeof found !== 'function' || found.length !== params)
    throw new Error(`the warp kernel lacks its export ${name}(${params} parameters)`);
  return found as (...args: number[]) => unknown;
}

let loaded: Kernel | null = null;

/** The WebAssembly kernel (warp.wat), instantiated once per process: code and scratch memory, no state between calls. */
function kernel(): Kernel {
  if (loaded) return loaded;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WARP_WASM, 'base64')));
  const { memory } = exports;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('the warp kernel lacks its memory');
  const plane = exported(exports, 'plane', 15);
  const mix = exported(exports, 'mix', 5);
  const over = exported(exports, 'over', 7);
  // The one place the exports' parameter order is written, in warp.wat's order.
  loaded = {
    memory,
    plane: (c) =>
      void plane(
        c.rows,
        c.srcWidth,
        c.out,
        c.width,
        c.height,
        c.columnIndex,
        c.columnWeight,
        c.rowIndex,
        c.rowWeight,
        c.above,
        c.below,
        c.blocks ? 1 : 0,
        c.blockFirst,
        c.blockOffsets,
        c.blockWeights,
      ),
    mix: (c) => void mix(c.a, c.b, c.out, c.length, c.weight),
    over: (c) => void over(c.dst, c.stride, c.src, c.alpha, c.width, c.height, c.k),
  };
  return loaded;
}

const align = (bytes: number) => (bytes + 15) & ~15;
const PAGE = 65536;

/** The kernel's memory, grown to at least `bytes`. */
function heapOf(kernel: Kernel, bytes: number): ArrayBuffer {
  const { memory } = kernel;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
  return memory.buffer;
}

/** out = a·(1 - weight) + b·weight, rounded (weight in 1/256), byte by byte: a cross-fade of one plane, in the kernel. */
export function mixBytes({
  a,
  b,
  out,
  weight,
}: {
  a: Uint8Array;
  b: Uint8Array;
  out: Uint8Array;
  weight: number;
}): void {
  const length = out.length;
  const at = { a: 0, b: align(length), out: 2 * align(length) };
  const k = kernel();
  const heap = heapOf(k, at.out + align(length) + 16);
  new Uint8Array(heap, at.a, length).set(a.subarray(0, length));
  new Uint8Array(heap, at.b, length).set(b.subarray(0, length));
  k.mix({ a: at.a, b: at.b, out: at.out, length, weight: Math.round(weight * 256) });
  out.set(new Uint8Array(heap, at.out, length));
}

interface OverBytes {
  dst: Uint8Array;
  dstWidth: number;
  src: Uint8Array;
  alpha: Uint8Array;
  area: Window;
  opacity: number;
}

/**
 * Draws `src` (width × height bytes, with one alpha byte each) over the plane
 * `dst` (rows `dstWidth` apart) at (left, top), at `opacity` in 1/256: in the
 * kernel, sixteen bytes at a time. The rectangle must lie inside the plane.
 */
export function overBytes({ dst, dstWidth, src, alpha, area, opacity }: OverBytes): void {
  const { left, top, width, height } = area;
  const size = width * height;
  const at = { dst: 0, src: align(size), alpha: 2 * align(size) };
  const k = kernel();
  const heap = heapOf(k, at.alpha + align(size));
  const region = new Uint8Array(heap, at.dst, size);
  for (let row = 0; row < height; row++)
    region.set(dst.subarray((top + row) * dstWidth + left, (top + row) * dstWidth + left + width), row * width);
  new Uint8Array(heap, at.src, size).set(src.subarray(0, size));
  new Uint8Array(heap, at.alpha, size).set(alpha.subarray(0, size));
  k.over({ dst: at.dst, stride: width, src: at.src, alpha: at.alpha, width, height, k: opacity });
  for (let row = 0; row < height; row++)
    dst.set(region.subarray(row * width, (row + 1) * width), (top + row) * dstWidth + left);
}

/** One 8-bit plane: its bytes, row after row. */
interface PlaneView {
  bytes: Uint8Array;
  width: number;
  height: number;
}

/**
 * One plane: the taps along each axis are worked out here, the source rows
 * they reach are copied into the kernel's memory, and the kernel blends the
 * output (warp.wat), which is copied back.
 */
function warpPlane(from: PlaneView, to: PlaneView, win: Window): void {
  const [src, srcW, srcH] = [from.bytes, from.width, from.height];
  const [dst, dstW, dstH] = [to.bytes, to.width, to.height];
  const xs = axisTaps(dstW, win.left, win.width / dstW, srcW);
  const ys = axisTaps(dstH, win.top, win.height / dstH, srcH);
  const firstRow = ys.index[0]!;
  const rowCount = ys.index[dstH - 1]! + 2 - firstRow;
  const columnIndex = 0;
  const columnWeight = columnIndex + align(4 * dstW);
  const rowIndex = columnWeight + align(4 * dstW);
  const rowWeight = rowIndex + align(4 * dstH);
  const above = rowWeight + align(4 * dstH);
  const below = above + 2 * align(dstW);
  const blockCount = Math.ceil(dstW / 8);
  const blockFirst = below + 2 * align(dstW);
  const blockOffsets = blockFirst + align(4 * blockCount);
  const blockWeights = blockOffsets + align(8 * blockCount);
  const rows = blockWeights + align(16 * blockCount);
  const out = rows + align(rowCount * srcW);
  const end = out + dstW * dstH + 16;
  const k = kernel();
  const heap = heapOf(k, end);
  new Int32Array(heap, columnIndex, dstW).set(xs.index);
  new Int32Array(heap, columnWeight, dstW).set(xs.weight);
  const rowIndices = new Int32Array(heap, rowIndex, dstH);
  for (let row = 0; row < dstH; row++) rowIndices[row] = ys.index[row]! - firstRow;
  new Int32Array(heap, rowWeight, dstH).set(ys.weight);
  new Uint8Array(heap, rows, rowCount * srcW).set(src.subarray(firstRow * srcW, (firstRow + rowCount) * srcW));
  const blocks = fillBlocks(
    xs,
    new Int32Array(heap, blockFirst, blockCount),
    new Uint8Array(heap, blockOffsets, 8 * blockCount),
    new Int16Array(heap, blockWeights, 8 * blockCount),
  );
  k.plane({
    rows,
    srcWidth: srcW,
    out,
    width: dstW,
    height: dstH,
    columnIndex,
    columnWeight,
    rowIndex,
    rowWeight,
    above,
    below,
    blocks,
    blockFirst,
    blockOffsets,
    blockWeights,
  });
  dst.set(new Uint8Array(heap, out, dstW * dstH));
}

/**
 * Resamples `win` of `src` onto the whole of `dst` with bilinear weights at
 * 1/256-pixel precision, so a window that moves by a fraction of a pixel moves
 * the picture by that fraction (zoompan rounds to whole pixels, which judders).
 */
export function warp(src: Planes, dst: Planes, win: Window): void {
  warpPlane(
    { bytes: src.y, width: src.width, height: src.height },
    { bytes: dst.y, width: dst.width, height: dst.height },
    win,
  );
  const half = { left: win.left / 2, top: win.top / 2, width: win.width / 2, height: win.height / 2 };
  const srcChroma = { width: src.width >> 1, height: src.height >> 1 };
  const dstChroma = { width: dst.width >> 1, height: dst.height >> 1 };
  warpPlane({ bytes: src.u, ...srcChroma }, { bytes: dst.u, ...dstChroma }, half);
  warpPlane({ bytes: src.v, ...srcChroma }, { bytes: dst.v, ...dstChroma }, half);
}
