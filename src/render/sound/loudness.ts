import { PEAKS_WASM } from './peaks-kernel.js';
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
    return {
      b0: (1 + cos) / 2 / a0,
      b1: -(1 + cos) / a0,
      b2: (1 + cos) / 2 / a0,
      a1: (-2 * cos) / a0,
      a2: (1 - alpha) / a0,
    };
  })();
  return [shelf, highPass];
}

const BLOCK_SEC = 0.4;
const STEP_SEC = 0.1;
const toLufs = (meanSquare: number) => (meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * K-weighted mean square of every 400 ms block, one every 100 ms (channels
 * summed, as for stereo), of audio fed in pieces of any length. Each sample's
 * squared K-weighted value (both stages in one pass: the shelf's output feeds
 * the high-pass sample by sample) is added to a bucket that both the block and
 * the step are made of (100 ms at the usual rates), so a three-minute track
 * needs a few thousand numbers rather than copies of itself, and can be
 * measured while it is made.
 */
export class LoudnessMeter {
  private readonly stages: [Biquad, Biquad];
  private readonly block: number;
  private readonly step: number;
  private readonly size: number;
  private readonly buckets: Float64Array;
  /** Per channel: the filters' memory (x1, x2, y1, y2, z1, z2), then the position of its next sample. */
  private readonly state: Float64Array[];

  constructor(sampleRate: number, channelCount: number, frames: number) {
    this.stages = kWeighting(sampleRate);
    this.block = Math.round(BLOCK_SEC * sampleRate);
    this.step = Math.round(STEP_SEC * sampleRate);
    this.size = gcd(this.block, this.step);
    this.buckets = new Float64Array(Math.ceil(frames / this.size));
    this.state = Array.from({ length: channelCount }, () => new Float64Array(7));
  }

  /** Adds the next `count` samples of channel `channel`: values[offset + k], times gain[offset + k] if a gain is given. */
  add(
    channel: number,
    values: Float32Array,
    gain: Float32Array | null = null,
    count = values.length,
    offset = 0,
  ): void {
    const state = this.state[channel]!;
    const [{ b0, b1, b2, a1, a2 }, { b0: c0, b1: c1, b2: c2, a1: d1, a2: d2 }] = this.stages;
    let x1 = state[0]!,
      x2 = state[1]!,
      y1 = state[2]!,
      y2 = state[3]!,
      z1 = state[4]!,
      z2 = state[5]!,
      position = state[6]!;
    const { size, buckets } = this;
    for (let i = offset, end = offset + count; i < end;) {
      const bucket = Math.floor(position / size);
      const stop = Math.min(end, i + (bucket + 1) * size - position);
      position += stop - i;
      let sum = 0;
      for (; i < stop; i++) {
        const x = gain ? values[i]! * gain[i]! : values[i]!;
        const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        const z = c0 * y + c1 * y1 + c2 * y2 - d1 * z1 - d2 * z2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        z2 = z1;
        z1 = z;
        sum += z * z;
      }
      buckets[bucket] = buckets[bucket]! + sum;
    }
    state.set([x1, x2, y1, y2, z1, z2, position]);
  }

  /** The mean square of every whole block so far. */
  powers(): Float64Array {
    const { block, step, size, buckets } = this;
    const frames = Math.max(0, ...this.state.map((state) => state[6]!));
    const count = frames >= block ? Math.floor((frames - block) / step) + 1 : 0;
    const powers = new Float64Array(count);
    const perBlock = block / size;
    for (let b = 0; b < count; b++) {
      let sum = 0;
      for (let k = 0, first = (b * step) / size; k < perBlock; k++) sum += buckets[first + k]!;
      powers[b] = sum / block;
    }
    return powers;
  }

  /** Integrated loudness (LUFS) of what was added. */
  loudness(): number {
    return gatedLoudness(this.powers());
  }
}

/**
 * Block powers (see LoudnessMeter) of the audio times `gain` (per sample) if
 * given, as if that product were made.
 */
export function blockPowers(
  audio: PcmAudio,
  gain: Float32Array | null = null,
): { powers: Float64Array; stepSec: number; blockSec: number } {
  const frames = audio.channels[0]?.length ?? 0;
  const meter = new LoudnessMeter(audio.sampleRate, audio.channels.length, frames);
  audio.channels.forEach((channel, c) => meter.add(c, channel, gain));
  return { powers: meter.powers(), stepSec: STEP_SEC, blockSec: BLOCK_SEC };
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

/** Integrated loudness in LUFS (of the audio times `gain`, if given). */
export function integratedLoudness(audio: PcmAudio, gain: Float32Array | null = null): number {
  return gatedLoudness(blockPowers(audio, gain).powers);
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

const [FIRST_PHASE, SECOND_PHASE, THIRD_PHASE] = PHASES as [Float64Array, Float64Array, Float64Array];

/** Output samples the kernel reconstructs per call: its memory holds this many, their taps' samples and the taps. */
const KERNEL_BLOCK = 16384;
const TAPS_BYTES = 3 * TAPS * 4;
const SAMPLES_AT = TAPS_BYTES;
const OUT_AT = SAMPLES_AT + (KERNEL_BLOCK + TAPS + 4) * 4;

interface PeaksKernel {
  samples: Float32Array;
  out: Float32Array;
  peaks: (samples: number, out: number, count: number) => void;
}

let loaded: PeaksKernel | null = null;

/** The WebAssembly kernel (peaks.wat), instantiated once per process with the taps in its memory. */
function peaksKernel(): PeaksKernel {
  if (loaded) return loaded;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PEAKS_WASM, 'base64')));
  const { memory, peaks } = exports;
  if (!(memory instanceof WebAssembly.Memory) || typeof peaks !== 'function')
    throw new Error('the true-peak kernel lacks its exports');
  const bytes = OUT_AT + (KERNEL_BLOCK + 4) * 4;
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
  new Float32Array(memory.buffer, 0, 3 * TAPS).set([...FIRST_PHASE, ...SECOND_PHASE, ...THIRD_PHASE]);
  loaded = {
    samples: new Float32Array(memory.buffer, SAMPLES_AT, KERNEL_BLOCK + TAPS + 4),
    out: new Float32Array(memory.buffer, OUT_AT, KERNEL_BLOCK + 4),
    peaks: (samples, out, count) => void peaks(samples, out, count),
  };
  return loaded;
}

/**
 * The largest absolute value of the signal between sample i-1 and i, the
 * sample itself included, from a 4× oversampled reconstruction, for every i
 * in [from, to): the most of `peaks[i - from]` and that. The signal is
 * `frames` long; `window` holds its samples from `windowStart` on, and must
 * reach six samples either side of the range (or the signal's end). The
 * reconstruction is most of a soundtrack's mixing time: it runs in a
 * WebAssembly kernel, four samples at a time (the samples within six of
 * either end of the signal are taken as they are).
 */
export function addInterSamplePeaks(
  window: Float32Array,
  windowStart: number,
  frames: number,
  from: number,
  to: number,
  peaks: Float32Array,
): void {
  const half = TAPS / 2;
  const lo = Math.min(to, Math.max(from, half));
  const hi = Math.max(lo, Math.min(to, frames - half + 1));
  const plain = (start: number, end: number) => {
    for (let i = start; i < end; i++) {
      const peak = Math.abs(window[i - windowStart]!);
      if (peak > peaks[i - from]!) peaks[i - from] = peak;
    }
  };
  plain(from, lo);
  plain(hi, to);
  if (hi === lo) return;
  const kernel = peaksKernel();
  for (let start = lo; start < hi; start += KERNEL_BLOCK) {
    const count = Math.min(KERNEL_BLOCK, hi - start);
    const first = start - half - windowStart;
    kernel.samples.set(window.subarray(first, Math.min(window.length, first + count + TAPS + 3)));
    kernel.out.set(peaks.subarray(start - from, start - from + count));
    kernel.peaks(SAMPLES_AT, OUT_AT, count);
    peaks.set(kernel.out.subarray(0, count), start - from);
  }
}

/** Samples either side of a range that addInterSamplePeaks reads. */
export const PEAK_MARGIN = TAPS / 2;

/** True peak in dBTP. */
export function truePeakDb(audio: PcmAudio): number {
  let peak = 0;
  const chunk = new Float32Array(1 << 16);
  for (const channel of audio.channels) {
    for (let from = 0; from < channel.length; from += chunk.length) {
      const to = Math.min(channel.length, from + chunk.length);
      chunk.fill(0, 0, to - from);
      addInterSamplePeaks(channel, 0, channel.length, from, to, chunk);
      for (let i = 0; i < to - from; i++) if (chunk[i]! > peak) peak = chunk[i]!;
    }
  }
  return peak > 0 ? 20 * Math.log10(peak) : -Infinity;
}
