import { blockPowers, gatedLoudness, integratedLoudness, interSamplePeaks, truePeakDb } from './loudness.js';
import { shapeGain } from './limiter.js';
import { resample } from './resample.js';
import type { PcmAudio } from './wav.js';

/** What every video's soundtrack measures (EBU R128 as `ffmpeg -af ebur128=peak=true` reports it). */
export const LOUDNESS_TARGET_LUFS = -16;
/**
 * Ceiling before AAC encoding: the promise is -1.5 dBTP on the decoded AAC,
 * and the encoder's band-limiting adds up to about a decibel of overshoot.
 */
export const PEAK_CEILING_DBTP = -2.8;
/** The voice's level in the mix, and the music's when there is a voice (before the final gain). */
const VOICE_LUFS = -16;
const MUSIC_UNDER_NARRATION_LUFS = -20;
/** How far the music ducks while the voice speaks. */
const DUCK_DB = 9;
export const MIX_RATE = 44100;

const dbToGain = (db: number) => 10 ** (db / 20);

export interface MixFigures {
  integratedLufs: number;
  truePeakDbtp: number;
  /** Voice loudness minus ducked-music loudness while the voice speaks (LU); null without a voice. */
  voiceOverMusicDb: number | null;
}

export interface MixedSoundtrack {
  mix: PcmAudio;
  figures: MixFigures;
  /** The voice and the ducked music exactly as they sit in the mix (only when asked for). */
  stems?: { voice: PcmAudio; music: PcmAudio };
}

/**
 * Sidechain ducking: the voice's envelope opens a gate (held through the gaps
 * between words) and the music's gain follows it down by DUCK_DB, with a quick
 * attack and a slow release so the music does not pump between words.
 */
export function duckingGain(voice: Float32Array, rate: number): Float32Array {
  const gain = new Float32Array(voice.length);
  const attack = Math.exp(-1 / (0.005 * rate));
  const release = Math.exp(-1 / (0.08 * rate));
  const threshold = dbToGain(-36);
  const holdFrames = Math.round(0.3 * rate);
  const down = Math.exp(-1 / (0.04 * rate));
  const up = Math.exp(-1 / (0.5 * rate));
  let envelope = 0;
  let sinceOpen = Infinity;
  let duck = 0;
  for (let i = 0; i < voice.length; i++) {
    const level = Math.abs(voice[i]!);
    envelope = level > envelope ? attack * envelope + (1 - attack) * level : release * envelope + (1 - release) * level;
    sinceOpen = envelope > threshold ? 0 : sinceOpen + 1;
    const target = sinceOpen < holdFrames ? 1 : 0;
    const coefficient = target > duck ? down : up;
    duck = coefficient * duck + (1 - coefficient) * target;
    gain[i] = dbToGain(-DUCK_DB * duck);
  }
  return gain;
}

/** The limiter's stereo-linked peak estimate, computed once and scaled per trial gain. */
function linkedPeaks(audio: PcmAudio): Float32Array {
  const peaks = new Float32Array(audio.channels[0]!.length);
  for (const channel of audio.channels) {
    const channelPeaks = interSamplePeaks(channel);
    for (let i = 0; i < peaks.length; i++) if (channelPeaks[i]! > peaks[i]!) peaks[i] = channelPeaks[i]!;
  }
  return peaks;
}

/**
 * Music (and voice) mixed into one stereo track at LOUDNESS_TARGET_LUFS with
 * its true peak under PEAK_CEILING_DBTP. Each source is levelled by what it
 * measures, never by what it should be: a cloud voice is just a WAV at another
 * level. The mix is then normalised as a whole and true-peak limited, and the
 * gain is corrected until the limited mix measures on target.
 */
export function mixSoundtrack(input: { music: PcmAudio; voice: PcmAudio | null; durationSec: number; withStems?: boolean }): MixedSoundtrack {
  const frames = Math.round(input.durationSec * MIX_RATE);
  const music = fit(resampleIfNeeded(input.music), frames);
  const voice = input.voice ? fit(resampleIfNeeded(input.voice), frames) : null;
  const voiceLoudness = voice ? integratedLoudness({ sampleRate: MIX_RATE, channels: [voice.channels[0]!] }) : -Infinity;
  const speaking = voice && Number.isFinite(voiceLoudness) ? voice : null;

  const musicLoudness = integratedLoudness(music);
  const musicGain = Number.isFinite(musicLoudness) ? dbToGain((speaking ? MUSIC_UNDER_NARRATION_LUFS : VOICE_LUFS) - musicLoudness) : 1;
  const voiceGain = speaking ? dbToGain(VOICE_LUFS - voiceLoudness) : 0;
  const duck = speaking ? duckingGain(speaking.channels[0]!, MIX_RATE) : null;
  const voiceChannel = speaking ? speaking.channels[0]! : null;
  const summed: PcmAudio = { sampleRate: MIX_RATE, channels: music.channels.map((channel) => mixChannel(channel, musicGain, duck, voiceChannel, voiceGain)) };

  const { gain, limited, truePeakDbtp } = normalise(summed);
  // The stems are made only now, once the mix no longer needs its working copies: a long mix holds fewer at once.
  const voiceStem = voiceChannel ? multiply(voiceChannel, voiceGain) : null;
  const musicStem = voiceStem || input.withStems ? music.channels.map((channel) => multiply(channel, musicGain, duck)) : [];
  const figures: MixFigures = {
    integratedLufs: integratedLoudness(limited),
    truePeakDbtp,
    voiceOverMusicDb: voiceStem ? voiceOverMusic(voiceStem, musicStem, gain) : null,
  };
  const result: MixedSoundtrack = { mix: limited, figures };
  if (input.withStems) {
    result.stems = {
      voice: { sampleRate: MIX_RATE, channels: [0, 1].map(() => multiply(voiceStem ?? new Float32Array(frames), gain)) },
      music: { sampleRate: MIX_RATE, channels: musicStem.map((channel) => multiply(channel, gain)) },
    };
  }
  return result;
}

/**
 * One channel of the mix before normalising: the ducked music plus the voice,
 * each rounded as its stem is, so the stems made later add up to it exactly.
 */
function mixChannel(music: Float32Array, musicGain: number, duck: Float32Array | null, voice: Float32Array | null, voiceGain: number): Float32Array {
  const out = new Float32Array(music.length);
  for (let i = 0; i < out.length; i++) {
    let value = Math.fround(music[i]! * musicGain);
    if (duck) value = Math.fround(value * duck[i]!);
    out[i] = voice ? value + Math.fround(voice[i]! * voiceGain) : value;
  }
  return out;
}

/** Gain to target, true-peak limiting, and up to four corrections for what the limiter took away; with the result's true peak. */
function normalise(summed: PcmAudio): { gain: Float32Array; limited: PcmAudio; truePeakDbtp: number } {
  const frames = summed.channels[0]!.length;
  const peaks = linkedPeaks(summed);
  const ceiling = dbToGain(PEAK_CEILING_DBTP);
  const measured = integratedLoudness(summed);
  let staticGain = Number.isFinite(measured) ? dbToGain(LOUDNESS_TARGET_LUFS - measured) : 1;
  // Every attempt works in the same two buffers.
  const needed = new Float32Array(frames);
  const gain = new Float32Array(frames);
  for (let attempt = 0; attempt < 5; attempt++) {
    limiterCurve(peaks, staticGain, ceiling, summed.sampleRate, needed, gain);
    const loudness = integratedLoudness(summed, gain);
    if (!Number.isFinite(loudness) || Math.abs(loudness - LOUDNESS_TARGET_LUFS) < 0.1) break;
    staticGain *= dbToGain(LOUDNESS_TARGET_LUFS - loudness);
  }
  const limited = { sampleRate: summed.sampleRate, channels: summed.channels.map((channel) => multiply(channel, gain)) };
  // The gain curve's own movement can nudge an inter-sample peak past the ceiling: take it back if so.
  const truePeakDbtp = truePeakDb(limited);
  const overshoot = truePeakDbtp - PEAK_CEILING_DBTP;
  if (overshoot <= 0) return { gain, limited, truePeakDbtp };
  // A constant gain scales the reconstructed peaks by the same factor.
  const backDb = -overshoot - 0.05;
  const back = dbToGain(backDb);
  for (const curve of [gain, ...limited.channels]) for (let i = 0; i < curve.length; i++) curve[i] = curve[i]! * back;
  return { gain, limited, truePeakDbtp: truePeakDbtp + backDb };
}

/** Stereo-linked limiter gain times the static gain, into `gain` (`needed` is scratch): see shapeGain for why it never lets a peak through. */
function limiterCurve(peaks: Float32Array, staticGain: number, ceiling: number, rate: number, needed: Float32Array, gain: Float32Array): void {
  for (let i = 0; i < peaks.length; i++) needed[i] = peaks[i]! * staticGain > ceiling ? ceiling / (peaks[i]! * staticGain) : 1;
  shapeGain(needed, rate, gain);
  for (let i = 0; i < gain.length; i++) gain[i] = gain[i]! * staticGain;
}

/** Loudness of the voice minus that of the ducked music, over the 400 ms blocks where the voice speaks. */
function voiceOverMusic(voice: Float32Array, music: Float32Array[], gain: Float32Array): number {
  const voiceBlocks = blockPowers({ sampleRate: MIX_RATE, channels: [voice, voice] }, gain).powers;
  const musicBlocks = blockPowers({ sampleRate: MIX_RATE, channels: music }, gain).powers;
  const voiceLevel = gatedLoudness(voiceBlocks);
  const speaking = [...voiceBlocks.keys()].filter((b) => -0.691 + 10 * Math.log10(voiceBlocks[b]! || 1e-30) > voiceLevel - 10);
  const mean = (powers: Float64Array) => speaking.reduce((sum, b) => sum + powers[b]!, 0) / Math.max(1, speaking.length);
  return 10 * Math.log10(mean(voiceBlocks) / Math.max(1e-30, mean(musicBlocks)));
}

function resampleIfNeeded(audio: PcmAudio): PcmAudio {
  return audio.sampleRate === MIX_RATE && audio.channels.length === 2 ? audio : resample(audio, MIX_RATE, 2);
}

/** Exactly `frames` long: cut or padded with silence. */
function fit(audio: PcmAudio, frames: number): PcmAudio {
  return {
    sampleRate: audio.sampleRate,
    channels: audio.channels.map((channel) => {
      if (channel.length === frames) return channel;
      const out = new Float32Array(frames);
      out.set(channel.subarray(0, frames));
      return out;
    }),
  };
}

/** Element-wise product with a constant or a curve, and a second curve if given (plain loops: typed-array map is several times slower). */
function multiply(values: Float32Array, by: number | Float32Array, andBy: Float32Array | null = null): Float32Array {
  const out = new Float32Array(values.length);
  if (typeof by === 'number') for (let i = 0; i < values.length; i++) out[i] = values[i]! * by;
  else for (let i = 0; i < values.length; i++) out[i] = values[i]! * by[i]!;
  if (andBy) for (let i = 0; i < values.length; i++) out[i] = out[i]! * andBy[i]!;
  return out;
}
