import { spawnSync } from 'node:child_process';
import { parseEbur128Summary, type LoudnessReading } from '../../src/render/sound/measure.js';
import type { PcmAudio } from '../../src/render/sound/wav.js';

/** Integrated loudness and true peak of a media file as `ffmpeg -af ebur128=peak=true` reports them (the summary). */
export function ebur128(ffmpeg: string, file: string): LoudnessReading {
  const result = spawnSync(
    ffmpeg,
    ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const reading = parseEbur128Summary(result.stderr);
  if (!reading) throw new Error(`no ebur128 summary from ${ffmpeg}: ${result.stderr.slice(-400)}`);
  return reading;
}

/**
 * Where the beats are, heard: an onset-strength envelope (rise of RMS level in
 * 5 ms frames), folded over one beat period. Returns the phase (seconds after
 * a beat of the grid starting at 0) where onsets gather, and how strongly
 * (peak over mean of the folded envelope).
 */
export function beatPhase(audio: PcmAudio, bpm: number, fromSec = 0): { phaseSec: number; contrast: number } {
  const hop = Math.round(audio.sampleRate * 0.005);
  const frames = Math.floor(audio.channels[0]!.length / hop);
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (const channel of audio.channels)
      for (let i = f * hop; i < (f + 1) * hop; i++) sum += channel[i]! * channel[i]!;
    energy[f] = Math.sqrt(sum / hop);
  }
  const hopSec = hop / audio.sampleRate;
  const beatSec = 60 / bpm;
  const bins = Math.round(beatSec / hopSec);
  const folded = new Float64Array(bins);
  for (let f = Math.ceil(fromSec / hopSec) + 1; f < frames; f++) {
    const rise = Math.max(0, energy[f]! - energy[f - 1]!);
    folded[Math.round(((f * hopSec) % beatSec) / hopSec) % bins]! += rise;
  }
  let best = 0;
  for (let b = 1; b < bins; b++) if (folded[b]! > folded[best]!) best = b;
  const mean = folded.reduce((a, b) => a + b, 0) / bins;
  return { phaseSec: best * hopSec, contrast: folded[best]! / mean };
}

/** In-place radix-2 FFT magnitude of `frame` (length a power of two), first half. */
function magnitudes(frame: Float64Array): Float64Array {
  const n = frame.length;
  const re = Float64Array.from(frame);
  const im = new Float64Array(n);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [re[i], re[j]] = [re[j]!, re[i]!];
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const [wr, wi] = [Math.cos(step * k), Math.sin(step * k)];
        const a = start + k;
        const b = a + size / 2;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a]! += tr;
        im[a]! += ti;
      }
    }
  }
  return Float64Array.from({ length: n / 2 }, (_, i) => Math.hypot(re[i]!, im[i]!));
}

/**
 * How much the most alike two non-overlapping stretches of `windowSec` (on a
 * `stepSec` grid from `fromSec`) sound alike: cosine similarity of their
 * log-magnitude spectrograms, frame by frame (phase-blind, as hearing is).
 * A literal loop scores 1.
 */
export function maxSelfSimilarity(
  audio: PcmAudio,
  windowSec: number,
  stepSec: number,
  fromSec: number,
  toSec: number,
): number {
  const decimate = 4;
  const rate = audio.sampleRate / decimate;
  const mono = Float64Array.from({ length: Math.floor(audio.channels[0]!.length / decimate) }, (_, i) =>
    audio.channels.reduce((sum, c) => sum + c[i * decimate]!, 0),
  );
  const size = 1024;
  const hop = 512;
  const hann = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  const frames: Float64Array[] = [];
  for (let start = 0; start + size <= mono.length; start += hop)
    frames.push(magnitudes(Float64Array.from(hann, (w, i) => w * mono[start + i]!)).map((m) => Math.log10(1e-4 + m)));
  const frameOf = (sec: number) => Math.round((sec * rate) / hop);
  const length = frameOf(windowSec);
  const starts: number[] = [];
  for (let t = fromSec; t + windowSec <= toSec; t += stepSec) starts.push(frameOf(t));
  const vector = (start: number) => frames.slice(start, start + length);
  let best = -1;
  for (let a = 0; a < starts.length; a++) {
    for (let b = a + 1; b < starts.length; b++) {
      if (starts[b]! - starts[a]! < length) continue;
      const [x, y] = [vector(starts[a]!), vector(starts[b]!)];
      const mean = (v: Float64Array[]) =>
        v.reduce((s, f) => s + f.reduce((t, m) => t + m, 0), 0) / (v.length * v[0]!.length);
      const [mx, my] = [mean(x), mean(y)];
      let dot = 0,
        nx = 0,
        ny = 0;
      for (let f = 0; f < x.length; f++)
        for (let k = 0; k < x[f]!.length; k++) {
          const [p, q] = [x[f]![k]! - mx, y[f]![k]! - my];
          dot += p * q;
          nx += p * p;
          ny += q * q;
        }
      best = Math.max(best, dot / Math.sqrt(nx * ny));
    }
  }
  return best;
}
