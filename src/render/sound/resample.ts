import type { PcmAudio } from './wav.js';

/**
 * Cubic (Catmull-Rom) resampling to `rate`, downmixed to `channelCount`
 * channels. Speech from TTS arrives at 22.05 or 24 kHz mono; this is plenty
 * for a voice under music, and keeps the mix in one place.
 */
export function resample(audio: PcmAudio, rate: number, channelCount: number): PcmAudio {
  const source = audio.channels.length === 1 ? audio.channels[0]! : downmix(audio.channels);
  const ratio = audio.sampleRate / rate;
  const frames = Math.floor(source.length / ratio);
  const out = new Float32Array(frames);
  const at = (i: number) => source[Math.min(source.length - 1, Math.max(0, i))]!;
  for (let i = 0; i < frames; i++) {
    const position = i * ratio;
    const k = Math.floor(position);
    const t = position - k;
    const [p0, p1, p2, p3] = [at(k - 1), at(k), at(k + 1), at(k + 2)];
    out[i] = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
  }
  return { sampleRate: rate, channels: Array.from({ length: channelCount }, () => out) };
}

function downmix(channels: Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0]!.length);
  for (const channel of channels) for (let i = 0; i < out.length; i++) out[i]! += channel[i]! / channels.length;
  return out;
}
