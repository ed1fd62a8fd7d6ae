import { describe, expect, it } from 'vitest';
import { addInterSamplePeaks, PEAK_MARGIN } from '../../../src/render/sound/loudness.js';
import { seededRandom } from '../../../src/random.js';

const TAPS = 12;

/** The 4× oversampler written plainly in double precision: windowed-sinc phases, every sample, every tap. */
function referencePeaks(signal: Float32Array): Float64Array {
  const phases = [1, 2, 3].map((p) => {
    const frac = p / 4;
    const taps = Array.from({ length: TAPS }, (_, k) => {
      const t = k - TAPS / 2 + 1 - frac;
      const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      return sinc * (0.5 + 0.5 * Math.cos((Math.PI * t) / (TAPS / 2 + 1)));
    });
    const sum = taps.reduce((a, b) => a + b, 0);
    return taps.map((tap) => tap / sum);
  });
  return Float64Array.from(signal, (sample, i) => {
    let peak = Math.abs(sample);
    if (i < TAPS / 2 || i + TAPS / 2 > signal.length) return peak;
    for (const taps of phases) {
      const value = taps.reduce((sum, tap, k) => sum + tap * signal[i - TAPS / 2 + k]!, 0);
      peak = Math.max(peak, Math.abs(value));
    }
    return peak;
  });
}

describe('true peak', () => {
  it('the kernel reconstructs the peaks between samples as the plain oversampler does, edges and odd lengths included', () => {
    const random = seededRandom('true-peak');
    for (const frames of [5, 13, 40_001]) {
      const signal = Float32Array.from({ length: frames }, (_, i) => Math.sin(i * 0.9) * 0.8 + (random() - 0.5) * 0.3);
      const expected = referencePeaks(signal);
      // Whole, then in uneven pieces read through windows that carry only the margin either side.
      const whole = new Float32Array(frames);
      addInterSamplePeaks(signal, 0, frames, 0, frames, whole);
      const pieces = new Float32Array(frames);
      for (let from = 0; from < frames; from += 7_777) {
        const to = Math.min(frames, from + 7_777);
        const start = Math.max(0, from - PEAK_MARGIN);
        const window = signal.slice(start, Math.min(frames, to + PEAK_MARGIN));
        addInterSamplePeaks(window, start, frames, from, to, pieces.subarray(from, to));
      }
      for (const got of [whole, pieces]) {
        let worst = 0;
        for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
        expect(worst).toBeLessThan(1e-6);
      }
    }
  });

  it('a sine sampled off its crests reads its true amplitude, not its highest sample', () => {
    // 11025 Hz at 44.1 kHz sampled 45° off the crest: every sample is at 0.707 of the amplitude.
    const signal = Float32Array.from({ length: 4096 }, (_, i) => 0.9 * Math.sin((Math.PI / 2) * i + Math.PI / 4));
    const peaks = new Float32Array(signal.length);
    addInterSamplePeaks(signal, 0, signal.length, 0, signal.length, peaks);
    const inner = peaks.subarray(64, -64);
    expect(Math.max(...signal)).toBeLessThan(0.64);
    expect(Math.max(...inner)).toBeGreaterThan(0.85);
    expect(Math.max(...inner)).toBeLessThan(0.95);
  });

  it('keeps a larger peak already recorded', () => {
    const signal = new Float32Array(100).fill(0.1);
    const peaks = new Float32Array(100).fill(0.5);
    addInterSamplePeaks(signal, 0, 100, 0, 100, peaks);
    expect([...peaks].every((peak) => peak === 0.5)).toBe(true);
  });
});
