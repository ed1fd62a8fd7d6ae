import type { PcmAudio } from '../../audio/wav.js';
import { seededRandom } from '../../../random.js';
import { knownMusicStyle, moodInfo, type KnownMusicStyle } from '../../../style/styles.js';

export const MUSIC_SAMPLE_RATE = 44100;

export interface MusicRequest {
  durationSec: number;
  mood: string;
  musicStyle: string;
  bpm: number;
  /** The run id: the same run always gets the same track, so a resumed run is identical. */
  seed: string;
}

interface Voicing {
  pad: number;
  bass: number;
  arp: number;
  drums: number;
  /** Arpeggio notes per beat. */
  arpRate: number;
  /** Harmonic brightness of plucked notes, 0..1. */
  bright: number;
}

const VOICINGS: Record<KnownMusicStyle, Voicing> = {
  acoustic: { pad: 0.05, bass: 0.16, arp: 0.16, drums: 0, arpRate: 2, bright: 0.55 },
  piano: { pad: 0.04, bass: 0.12, arp: 0.2, drums: 0, arpRate: 2, bright: 0.35 },
  ambient: { pad: 0.11, bass: 0.08, arp: 0.06, drums: 0, arpRate: 1, bright: 0.2 },
  pop: { pad: 0.06, bass: 0.17, arp: 0.13, drums: 0.5, arpRate: 2, bright: 0.5 },
  rock: { pad: 0.08, bass: 0.2, arp: 0.1, drums: 0.7, arpRate: 2, bright: 0.8 },
  electronic: { pad: 0.07, bass: 0.18, arp: 0.12, drums: 0.6, arpRate: 4, bright: 0.7 },
  cinematic: { pad: 0.12, bass: 0.14, arp: 0.08, drums: 0.25, arpRate: 1, bright: 0.3 },
};

/** Scale degrees (semitones from the key's root) of the chords in each progression. */
const MAJOR_PROGRESSION = [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]]; // I V vi IV
const MINOR_PROGRESSION = [[0, 3, 7], [8, 12, 15], [3, 7, 10], [10, 14, 17]]; // i VI III VII
const ROOTS = [48, 50, 51, 53, 55, 57]; // C3 D3 Eb3 F3 G3 A3

const frequency = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/**
 * A backing track in plain TypeScript: a chord progression for the mood, with
 * pad, bass, arpeggio and (for upbeat styles) drums, exactly `durationSec` long,
 * with a fade in and out.
 */
export function synthesizeMusic(request: MusicRequest): PcmAudio {
  const random = seededRandom(`music:${request.seed}`);
  const rate = MUSIC_SAMPLE_RATE;
  const frames = Math.round(request.durationSec * rate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const voicing = VOICINGS[knownMusicStyle(request.musicStyle)];
  const progression = moodInfo(request.mood).minor ? MINOR_PROGRESSION : MAJOR_PROGRESSION;
  const root = ROOTS[Math.floor(random() * ROOTS.length)]!;
  const beatSec = 60 / request.bpm;
  const barSec = beatSec * 4;

  /** Adds one note: a few harmonics under an attack/decay envelope, panned. */
  const note = (startSec: number, lengthSec: number, midi: number, gain: number, pan: number, attackSec: number, decayPerSec: number, harmonics: number[]) => {
    const start = Math.floor(startSec * rate);
    const end = Math.min(frames, start + Math.floor(lengthSec * rate));
    const step = (2 * Math.PI * frequency(midi)) / rate;
    const leftGain = gain * Math.cos(((pan + 1) * Math.PI) / 4);
    const rightGain = gain * Math.sin(((pan + 1) * Math.PI) / 4);
    const attack = Math.max(1, attackSec * rate);
    const release = Math.min(end - start, Math.floor(0.03 * rate));
    for (let i = start; i < end; i++) {
      const t = i - start;
      let envelope = Math.min(1, t / attack) * Math.exp((-decayPerSec * t) / rate);
      if (end - i < release) envelope *= (end - i) / release;
      let sample = 0;
      for (let h = 0; h < harmonics.length; h++) sample += harmonics[h]! * Math.sin(step * (h + 1) * t);
      sample *= envelope;
      left[i]! += sample * leftGain;
      right[i]! += sample * rightGain;
    }
  };

  const noise = (startSec: number, lengthSec: number, gain: number, decayPerSec: number, highPass: boolean) => {
    const start = Math.floor(startSec * rate);
    const end = Math.min(frames, start + Math.floor(lengthSec * rate));
    let previous = 0;
    for (let i = start; i < end; i++) {
      const white = random() * 2 - 1;
      const sample = highPass ? white - previous : white;
      previous = white;
      const value = sample * gain * Math.exp((-decayPerSec * (i - start)) / rate);
      left[i]! += value;
      right[i]! += value;
    }
  };

  const kick = (startSec: number, gain: number) => {
    const start = Math.floor(startSec * rate);
    const end = Math.min(frames, start + Math.floor(0.25 * rate));
    let phase = 0;
    for (let i = start; i < end; i++) {
      const t = (i - start) / rate;
      phase += (2 * Math.PI * (50 + 90 * Math.exp(-t * 30))) / rate;
      const value = Math.sin(phase) * gain * Math.exp(-t * 14);
      left[i]! += value;
      right[i]! += value;
    }
  };

  const pluck = [1, voicing.bright * 0.5, voicing.bright * 0.25, voicing.bright * 0.12];
  const bars = Math.ceil(request.durationSec / barSec);
  for (let bar = 0; bar < bars; bar++) {
    const chord = progression[bar % progression.length]!.map((degree) => root + degree);
    const barStart = bar * barSec;
    if (voicing.pad > 0) {
      for (const [i, tone] of chord.entries()) note(barStart, barSec + 0.05, tone + 12, voicing.pad, i - 1, 0.4, 0.15, [1, 0.2]);
    }
    const bassEvery = voicing.drums > 0.4 ? 1 : 2;
    for (let beat = 0; beat < 4; beat += bassEvery) note(barStart + beat * beatSec, beatSec * bassEvery, chord[0]! - 12, voicing.bass, 0, 0.01, 3, [1, 0.3]);
    const arpStep = beatSec / voicing.arpRate;
    for (let k = 0; k < 4 * voicing.arpRate; k++) {
      const tone = chord[(k + (random() < 0.2 ? 1 : 0)) % chord.length]! + 12 * (1 + Math.floor(k / chord.length) % 2);
      note(barStart + k * arpStep, arpStep * 2, tone, voicing.arp, (k % 2) * 0.6 - 0.3, 0.005, 5, pluck);
    }
    if (voicing.drums > 0) {
      for (let beat = 0; beat < 4; beat++) {
        const at = barStart + beat * beatSec;
        if (beat % 2 === 0) kick(at, 0.5 * voicing.drums);
        else noise(at, 0.18, 0.22 * voicing.drums, 22, false);
        noise(at, 0.05, 0.08 * voicing.drums, 60, true);
        noise(at + beatSec / 2, 0.05, 0.06 * voicing.drums, 60, true);
      }
    }
  }

  // Fade in and out, then a soft limiter.
  const fadeIn = Math.min(frames, Math.floor(1 * rate));
  const fadeOut = Math.min(frames, Math.floor(Math.min(2, request.durationSec / 3) * rate));
  for (let i = 0; i < frames; i++) {
    let gain = 1;
    if (i < fadeIn) gain *= i / fadeIn;
    if (frames - i < fadeOut) gain *= (frames - i) / fadeOut;
    left[i] = Math.tanh(left[i]! * gain * 1.2);
    right[i] = Math.tanh(right[i]! * gain * 1.2);
  }
  return { sampleRate: rate, channels: [left, right] };
}
