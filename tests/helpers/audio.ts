import { spawnSync } from 'node:child_process';
import { parseEbur128Summary, type LoudnessReading } from '../../src/pipeline/audio/measure.js';
import type { PcmAudio } from '../../src/pipeline/audio/wav.js';

/** Integrated loudness and true peak of a media file as `ffmpeg -af ebur128=peak=true` reports them (the summary). */
export function ebur128(ffmpeg: string, file: string): LoudnessReading {
  const result = spawnSync(ffmpeg, ['-hide_banner', '-nostats', '-i', file, '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
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
    for (const channel of audio.channels) for (let i = f * hop; i < (f + 1) * hop; i++) sum += channel[i]! * channel[i]!;
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
