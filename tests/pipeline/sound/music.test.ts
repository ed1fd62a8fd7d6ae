import { describe, expect, it } from 'vitest';
import { synthesizeMusic } from '../../../src/pipeline/agents/music/synth.js';
import type { PcmAudio } from '../../../src/render/sound/wav.js';
import { MUSIC_STYLES } from '../../../src/style/styles.js';
import { beatPhase, maxSelfSimilarity } from '../../helpers/audio.js';

/** What a listener tells styles apart by: brightness, bass weight, how percussive, how busy between beats, how much the level moves. */
function features(audio: PcmAudio, bpm: number): number[] {
  const x = audio.channels[0]!;
  let energy = 0,
    diff = 0,
    low = 0,
    lp = 0;
  for (let i = 1; i < x.length; i++) {
    energy += x[i]! ** 2;
    diff += (x[i]! - x[i - 1]!) ** 2;
    lp += 0.03 * (x[i]! - lp); // ~200 Hz one-pole low-pass
    low += lp ** 2;
  }
  const hop = 441;
  const rms: number[] = [];
  for (let i = 0; i + hop <= x.length; i += hop)
    rms.push(Math.sqrt(x.subarray(i, i + hop).reduce((s, v) => s + v * v, 0) / hop));
  const mean = rms.reduce((a, b) => a + b, 0) / rms.length;
  const spread = Math.sqrt(rms.reduce((a, b) => a + (b - mean) ** 2, 0) / rms.length) / mean;
  const onBeat = beatPhase(audio, bpm, 1).contrast;
  const onEighth = beatPhase(audio, bpm * 2, 1).contrast;
  const onSixteenth = beatPhase(audio, bpm * 4, 1).contrast;
  // The kick's pattern: how regular the bass onsets are on every beat (four on the floor) or every other beat.
  const bass = new Float32Array(x.length);
  for (let i = 1, y = 0; i < x.length; i++) bass[i] = y += 0.02 * (x[i]! - y);
  const lowBeat = beatPhase({ sampleRate: audio.sampleRate, channels: [bass] }, bpm, 1).contrast;
  const lowHalf = beatPhase({ sampleRate: audio.sampleRate, channels: [bass] }, bpm / 2, 1).contrast;
  return [
    Math.log(diff / energy),
    Math.log(low / energy),
    spread,
    Math.log(onBeat),
    Math.log(onEighth),
    Math.log(onSixteenth),
    Math.log(lowBeat),
    Math.log(lowHalf),
  ];
}

describe('music', () => {
  it('each style sounds unlike every other: played from the same seed (same key and form), no two are close on what a listener hears', async () => {
    const grid = { bpm: 100, beatOffsetSec: 0.5 };
    const samples: Array<{ style: string; f: number[] }> = [];
    for (const style of MUSIC_STYLES)
      samples.push({
        style,
        f: features(
          await synthesizeMusic({ durationSec: 16, mood: 'calm', musicStyle: style, grid, seed: 'r_styles' }),
          grid.bpm,
        ),
      });
    const dims = samples[0]!.f.length;
    const mu = Array.from({ length: dims }, (_, d) => samples.reduce((s, x) => s + x.f[d]!, 0) / samples.length);
    const sd = Array.from(
      { length: dims },
      (_, d) => Math.sqrt(samples.reduce((s, x) => s + (x.f[d]! - mu[d]!) ** 2, 0) / samples.length) || 1,
    );
    const z = samples.map((x) => x.f.map((v, d) => (v - mu[d]!) / sd[d]!));
    for (let a = 0; a < z.length; a++) {
      for (let b = a + 1; b < z.length; b++) {
        expect(dist(z[a]!, z[b]!), `${samples[a]!.style} vs ${samples[b]!.style}`).toBeGreaterThan(0.6);
      }
    }
  }, 300_000);

  it('a 3-minute track does not loop: no two 4-bar stretches sound the same, while a looped control does', async () => {
    const grid = { bpm: 100, beatOffsetSec: 0.5 };
    const bar = 2.4;
    const track = await synthesizeMusic({ durationSec: 180, mood: 'happy', musicStyle: 'pop', grid, seed: 'r_long' });
    const similarity = maxSelfSimilarity(track, 4 * bar, 2 * bar, 0.5, 176);
    const length = Math.round(8 * bar * 44100);
    const from = Math.round((0.5 + 4 * bar) * 44100);
    const looped = {
      sampleRate: 44100,
      channels: track.channels.map((c) => Float32Array.from({ length: c.length }, (_, i) => c[from + (i % length)]!)),
    };
    const control = maxSelfSimilarity(looped, 4 * bar, 2 * bar, 0, 176);
    expect(control).toBeGreaterThan(0.98);
    expect(similarity).toBeLessThan(0.96);
  }, 600_000);

  it('the same run id gives the same track; another gives another', async () => {
    const request = { durationSec: 6, mood: 'calm', musicStyle: 'acoustic', grid: { bpm: 80, beatOffsetSec: 0.5 } };
    const a = (await synthesizeMusic({ ...request, seed: 'r_same' })).channels[0]!;
    expect((await synthesizeMusic({ ...request, seed: 'r_same' })).channels[0]!).toEqual(a);
    expect((await synthesizeMusic({ ...request, seed: 'r_other' })).channels[0]!).not.toEqual(a);
  });
});

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));
