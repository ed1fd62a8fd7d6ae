import type { PcmAudio } from './wav.js';

/**
 * Loudness as ITU-R BS.1770-4 / EBU R128 define it: K-weighted mean square in
 * 400 ms blocks (75 % overlap), an absolute gate at -70 LUFS and a relative gate
 * 10 LU below the ungated mean. `ffmpeg -af ebur128` measures the same thing;
 * the tests hold this meter to it.
 */

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two K-weighting stages for any sample rate (the standard lists 48 kHz only; these are its analogue prototypes). */
function kWeighting(sampleRate: number): [Biquad, Biquad] {
  const shelf = (() => {
    const gainDb = 3.99984385397;
    const q = 0.7071752369554193;
    const w0 = (2 * Math.PI * 1681.974450955533) / sampleRate;
    const a = 10 ** (gainDb / 40);
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const root = 2 * Math.sqrt(a) * alpha;
    const a0 = a + 1 - (a - 1) * cos + root;
    return {
      b0: (a * (a + 1 + (a - 1) * cos + root)) / a0,
      b1: (-2 * a * (a - 1 + (a + 1) * cos)) / a0,
      b2: (a * (a + 1 + (a - 1) * cos - root)) / a0,
      a1: (2 * (a - 1 - (a + 1) * cos)) / a0,
      a2: (a + 1 - (a - 1) * cos - root) / a0,
    };
  })();
  const highPass = (() => {
    const q = 0.5003270373253953;
    const w0 = (2 * Math.PI * 38.13547087613982) / sampleRate;
    const alpha = Math.sin(w0) / (2 * q);
    const cos = Math.cos(w0);
    const a0 = 1 + alpha;
    return { b0: (1 + cos) / 2 / a0, b1: -(1 + cos) / a0, b2: (1 + cos) / 2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
  })();
  return [shelf, highPass];
}

/** Both K-weighting stages in one pass: the shelf's output feeds the high-pass sample by sample. */
function kWeighted(input: Float32Array, [shelf, highPass]: [Biquad, Biquad]): Float64Array {
  const out = new Float64Array(input.length);
  const { b0, b1, b2, a1, a2 } = shelf;
  const { b0: c0, b1: c1, b2: c2, a1: d1, a2: d2 } = highPass;
  let x1 = 0,
    x2 = 0,
    y1 = 0,
    y2 = 0,
    z1 = 0,
    z2 = 0;
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    const z = c0 * y + c1 * y1 + c2 * y2 - d1 * z1 - d2 * z2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    z2 = z1;
    z1 = z;
    out[i] = z;
  }
  return out;
}

const BLOCK_SEC = 0.4;
const STEP_SEC = 0.1;
const toLufs = (meanSquare: number) => (meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity);

/** K-weighted mean square of every 400 ms block, one every 100 ms (channels summed, as for stereo). */
export function blockPowers(audio: PcmAudio): { powers: Float64Array; stepSec: number; blockSec: number } {
  const stages = kWeighting(audio.sampleRate);
  const frames = audio.channels[0]?.length ?? 0;
  const summed = new Float64Array(frames); // the channels' squares, summed
  for (const channel of audio.channels) {
    const weighted = kWeighted(channel, stages);
    for (let i = 0; i < frames; i++) summed[i] = summed[i]! + weighted[i]! * weighted[i]!;
  }
  const squares = new Float64Array(frames + 1); // prefix sums of the summed squares
  for (let i = 0; i < frames; i++) squares[i + 1] = squares[i]! + summed[i]!;
  const block = Math.round(BLOCK_SEC * audio.sampleRate);
  const step = Math.round(STEP_SEC * audio.sampleRate);
  const count = frames >= block ? Math.floor((frames - block) / step) + 1 : 0;
  const powers = new Float64Array(count);
  for (let b = 0; b < count; b++) powers[b] = (squares[b * step + block]! - squares[b * step]!) / block;
  return { powers, stepSec: STEP_SEC, blockSec: BLOCK_SEC };
}

/** Gated mean loudness of a set of block powers (LUFS), -Infinity if all are silent. */
export function gatedLoudness(powers: ArrayLike<number>): number {
  const absolute: number[] = [];
  for (let i = 0; i < powers.length; i++) if (toLufs(powers[i]!) > -70) absolute.push(powers[i]!);
  if (absolute.length === 0) return -Infinity;
  const relativeGate = toLufs(absolute.reduce((a, b) => a + b, 0) / absolute.length) - 10;
  const kept = absolute.filter((p) => toLufs(p) > relativeGate);
  return toLufs(kept.reduce((a, b) => a + b, 0) / kept.length);
}

/** Integrated loudness in LUFS. */
export function integratedLoudness(audio: PcmAudio): number {
  return gatedLoudness(blockPowers(audio).powers);
}

/** Interpolation taps per phase of the 4× oversampler; BS.1770 asks for at least 4× with a 48-tap-class filter. */
const TAPS = 12;
const OVERSAMPLE = 4;

/** Windowed-sinc phases for 4× oversampling, normalised to unity gain. */
const PHASES: Float64Array[] = Array.from({ length: OVERSAMPLE - 1 }, (_, p) => {
  const frac = (p + 1) / OVERSAMPLE;
  const taps = new Float64Array(TAPS);
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const t = k - TAPS / 2 + 1 - frac; // distance from the interpolated point
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const window = 0.5 + 0.5 * Math.cos((Math.PI * t) / (TAPS / 2 + 1));
    taps[k] = sinc * window;
    sum += taps[k]!;
  }
  for (let k = 0; k < TAPS; k++) taps[k]! /= sum;
  return taps;
});

/**
 * The largest absolute value of the signal between sample i-1 and i, the
 * samples themselves included, from a 4× oversampled reconstruction. The three
 * phases share one pass over the taps' samples (each sum in the same order as
 * on its own), which is most of a soundtrack's mixing time.
 */
export function interSamplePeaks(channel: Float32Array): Float32Array {
  const peaks = new Float32Array(channel.length);
  const half = TAPS / 2;
  const [first, second, third] = PHASES as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < channel.length; i++) {
    let peak = Math.abs(channel[i]!);
    if (i >= half && i + half <= channel.length) {
      let a = 0;
      let b = 0;
      let c = 0;
      const base = i - half;
      for (let k = 0; k < TAPS; k++) {
        const sample = channel[base + k]!;
        a += first[k]! * sample;
        b += second[k]! * sample;
        c += third[k]! * sample;
      }
      peak = Math.max(peak, Math.abs(a), Math.abs(b), Math.abs(c));
    }
    peaks[i] = peak;
  }
  return peaks;
}

/** True peak in dBTP. */
export function truePeakDb(audio: PcmAudio): number {
  let peak = 0;
  for (const channel of audio.channels) {
    const peaks = interSamplePeaks(channel);
    for (let i = 0; i < peaks.length; i++) if (peaks[i]! > peak) peak = peaks[i]!;
  }
  return peak > 0 ? 20 * Math.log10(peak) : -Infinity;
}
