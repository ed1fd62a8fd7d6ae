import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

// fft.js is CommonJS without typings.
interface FftInstance {
  createComplexArray(): number[];
  transform(out: number[], data: number[]): void;
  inverseTransform(out: number[], data: number[]): void;
}
const FFT = createRequire(import.meta.url)('fft.js') as new (size: number) => FftInstance;

/** Runs ffmpeg and returns its standard output. */
export function ffmpegOutput(ffmpeg: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-v', 'error', '-nostdin', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exited ${code}: ${stderr}`)),
    );
  });
}

/** Every frame of a video's luma plane (as stored: no conversion), cropped to a centred `size`×`size` square. */
export async function lumaFrames(ffmpeg: string, file: string, size: number): Promise<Uint8Array[]> {
  const raw = await ffmpegOutput(ffmpeg, [
    '-i',
    file,
    '-vf',
    `crop=${size}:${size},format=gray`,
    '-f',
    'rawvideo',
    'pipe:1',
  ]);
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + size * size <= raw.length; offset += size * size)
    frames.push(new Uint8Array(raw.buffer, raw.byteOffset + offset, size * size));
  return frames;
}

/** 2-D FFT of a real square image (row-major), in place into an interleaved complex array per row. */
function fft2(fft: FftInstance, size: number, rows: number[][]): number[][] {
  const out = rows.map((row) => {
    const spectrum = fft.createComplexArray();
    fft.transform(spectrum, row);
    return spectrum;
  });
  const column = fft.createComplexArray();
  const result = fft.createComplexArray();
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) {
      column[2 * y] = out[y]![2 * x]!;
      column[2 * y + 1] = out[y]![2 * x + 1]!;
    }
    fft.transform(result, column);
    for (let y = 0; y < size; y++) {
      out[y]![2 * x] = result[2 * y]!;
      out[y]![2 * x + 1] = result[2 * y + 1]!;
    }
  }
  return out;
}

function windowed(frame: Uint8Array, size: number, fft: FftInstance): number[][] {
  const hann = Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (size - 1)));
  let mean = 0;
  for (const v of frame) mean += v;
  mean /= frame.length;
  const rows = Array.from({ length: size }, (_, y) => {
    const row = fft.createComplexArray();
    for (let x = 0; x < size; x++) {
      row[2 * x] = (frame[y * size + x]! - mean) * hann[x]! * hann[y]!;
      row[2 * x + 1] = 0;
    }
    return row;
  });
  return fft2(fft, size, rows);
}

/** Spectral weighting's width, in cycles per pixel. */
const LOWPASS = 0.12;

/**
 * Sub-pixel offset of a peak from three samples. The spectral weighting makes
 * the peak a Gaussian, for which a parabola through the logarithms is exact
 * (a plain parabola pulls estimates toward whole and half pixels).
 */
function gaussianPeak(l: number, c: number, r: number): number {
  const [a, b, d] = [Math.log(Math.max(l, 1e-12)), Math.log(Math.max(c, 1e-12)), Math.log(Math.max(r, 1e-12))];
  const denominator = a - 2 * b + d;
  return denominator === 0 ? 0 : Math.max(-1, Math.min(1, (0.5 * (a - d)) / denominator));
}

function shiftBetween(fa: number[][], fb: number[][], size: number, fft: FftInstance): { dx: number; dy: number } {
  const cross = fa.map((row, y) => {
    const out = fft.createComplexArray();
    for (let x = 0; x < size; x++) {
      const [ar, ai, br, bi] = [row[2 * x]!, row[2 * x + 1]!, fb[y]![2 * x]!, fb[y]![2 * x + 1]!];
      // B · conj(A): peaks at the displacement of b relative to a.
      const re = br * ar + bi * ai;
      const im = bi * ar - br * ai;
      // Whitened, then weighted toward low frequencies: the finest detail is where the codec's own noise lives.
      const fx = Math.min(x, size - x) / size;
      const fy = Math.min(y, size - y) / size;
      const weight = Math.exp(-(fx * fx + fy * fy) / (2 * LOWPASS * LOWPASS)) / (Math.hypot(re, im) || 1);
      out[2 * x] = re * weight;
      out[2 * x + 1] = im * weight;
    }
    return out;
  });
  // Inverse 2-D transform: rows then columns (only magnitudes of the real part are needed).
  const rows = cross.map((row) => {
    const out = fft.createComplexArray();
    fft.inverseTransform(out, row);
    return out;
  });
  const surface = new Float64Array(size * size);
  const column = fft.createComplexArray();
  const result = fft.createComplexArray();
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) {
      column[2 * y] = rows[y]![2 * x]!;
      column[2 * y + 1] = rows[y]![2 * x + 1]!;
    }
    fft.inverseTransform(result, column);
    for (let y = 0; y < size; y++) surface[y * size + x] = result[2 * y]!;
  }
  let best = 0;
  for (let i = 1; i < surface.length; i++) if (surface[i]! > surface[best]!) best = i;
  const px = best % size;
  const py = Math.floor(best / size);
  const at = (x: number, y: number) => surface[((y + size) % size) * size + ((x + size) % size)]!;
  const wrap = (v: number) => (v > size / 2 ? v - size : v);
  return {
    dx: wrap(px) + gaussianPeak(at(px - 1, py), at(px, py), at(px + 1, py)),
    dy: wrap(py) + gaussianPeak(at(px, py - 1), at(px, py), at(px, py + 1)),
  };
}

/** Each frame's shift against the previous one. */
export function frameShifts(frames: Uint8Array[], size: number): Array<{ dx: number; dy: number }> {
  const fft = new FFT(size);
  const spectra = frames.map((frame) => windowed(frame, size, fft));
  return spectra.slice(1).map((spectrum, i) => shiftBetween(spectra[i]!, spectrum, size, fft));
}

/**
 * Judder: the rms of the frame-to-frame change of the shift, in px/frame².
 * A steady or smoothly eased move measures near the method's floor; a move in
 * whole-pixel steps measures near 1.
 */
export function judder(shifts: Array<{ dx: number; dy: number }>): number {
  const changes = shifts.slice(1).map((s, i) => (s.dx - shifts[i]!.dx) ** 2 + (s.dy - shifts[i]!.dy) ** 2);
  return Math.sqrt(changes.reduce((sum, v) => sum + v, 0) / Math.max(1, changes.length));
}

/** One decoded frame as a browser shows it: the stored BT.709 limited-range YUV turned into sRGB, per pixel. */
export async function browserRgbFrame(
  ffmpeg: string,
  file: string,
  atSec: number,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const raw = await ffmpegOutput(ffmpeg, [
    '-ss',
    atSec.toFixed(3),
    '-i',
    file,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
  ]);
  return browserRgb(raw, width, height);
}

/** BT.709 limited-range YUV 4:2:0 (planes back to back) as a browser shows it: sRGB, per pixel. */
export function browserRgb(yuv: Uint8Array, width: number, height: number): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const cw = width >> 1;
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const Y = (yuv[y * width + x]! - 16) / 219;
      const U = (yuv[width * height + (y >> 1) * cw + (x >> 1)]! - 128) / 224;
      const V = (yuv[width * height + cw * (height >> 1) + (y >> 1) * cw + (x >> 1)]! - 128) / 224;
      // BT.709 inverse matrix (Kr 0.2126, Kb 0.0722).
      const i = (y * width + x) * 3;
      rgb[i] = clamp(255 * (Y + 1.5748 * V));
      rgb[i + 1] = clamp(255 * (Y - 0.187324 * U - 0.468124 * V));
      rgb[i + 2] = clamp(255 * (Y + 1.8556 * U));
    }
  }
  return rgb;
}
