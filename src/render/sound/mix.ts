import { AUDIO_RATE } from '../../schemas/run.js';
import { addInterSamplePeaks, gatedLoudness, integratedLoudness, LoudnessMeter, PEAK_MARGIN } from './loudness.js';
import { Limiter } from './limiter.js';
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
/** The mix's sample rate unless one is asked for (a preview's is lower: see audioRateOf). */
export const MIX_RATE = AUDIO_RATE;

const dbToGain = (db: number) => 10 ** (db / 20);

export interface MixFigures {
  integratedLufs: number;
  truePeakDbtp: number;
  /** Voice loudness minus ducked-music loudness while the voice speaks (LU); null without a voice. */
  voiceOverMusicDb: number | null;
}

export interface MixedSoundtrack {
  mix: Mix;
  figures: MixFigures;
  /** The voice and the ducked music exactly as they sit in the mix (only when asked for). */
  stems?: { voice: PcmAudio; music: PcmAudio };
}

/**
 * A finished stereo mix, made a piece at a time from the levelled sources and
 * the limiter's gain curve whenever it is read: a long mix is never held whole.
 */
export interface Mix {
  sampleRate: number;
  frames: number;
  /** Channel `channel` (0 or 1) of the mix over frames [from, to), times `scale`, into `out`. */
  fill(channel: number, from: number, to: number, out: Float32Array, scale?: number): void;
}

/** Frames made at once when a mix is read through. */
const CHUNK = 1 << 15;

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

/**
 * The mix before its final gain, made on demand: the music levelled and
 * ducked, plus the voice levelled. Each stem is rounded as it would be if it
 * were kept, so the stems add up to the mix exactly.
 */
class Sources {
  constructor(
    readonly rate: number,
    readonly frames: number,
    private readonly music: Float32Array[],
    private readonly musicGain: number,
    private readonly duck: Float32Array | null,
    private readonly voice: Float32Array | null,
    private readonly voiceGain: number,
  ) {}

  /** Channel `channel` of the summed mix over [from, to) into `out`. */
  fill(channel: number, from: number, to: number, out: Float32Array): void {
    const { music, musicGain, duck, voice, voiceGain } = this;
    const source = music[channel]!;
    for (let i = from, o = 0; i < to; i++, o++) {
      let value = Math.fround(source[i]! * musicGain);
      if (duck) value = Math.fround(value * duck[i]!);
      out[o] = voice ? value + Math.fround(voice[i]! * voiceGain) : value;
    }
  }

  /** The music as it sits in the mix (before the final gain), channel `channel` over [from, to). */
  musicStem(channel: number, from: number, to: number, out: Float32Array): void {
    const { music, musicGain, duck } = this;
    const source = music[channel]!;
    for (let i = from, o = 0; i < to; i++, o++)
      out[o] = duck ? Math.fround(source[i]! * musicGain) * duck[i]! : source[i]! * musicGain;
  }

  /** The voice as it sits in the mix (before the final gain) over [from, to); silence without one. */
  voiceStem(from: number, to: number, out: Float32Array): void {
    const { voice, voiceGain } = this;
    for (let i = from, o = 0; i < to; i++, o++) out[o] = voice ? voice[i]! * voiceGain : 0;
  }

  get speaking(): boolean {
    return this.voice !== null;
  }
}

/**
 * Calls `each(from, to)` over [0, frames) a chunk at a time, letting other
 * work run between chunks: a render draws its frames while its soundtrack is
 * mixed, so neither holds the other up for more than a few milliseconds.
 */
async function inChunks(frames: number, each: (from: number, to: number) => void): Promise<void> {
  for (let from = 0; from < frames; from += CHUNK) {
    each(from, Math.min(frames, from + CHUNK));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Music (and voice) mixed into one stereo track at LOUDNESS_TARGET_LUFS with
 * its true peak under PEAK_CEILING_DBTP. Each source is levelled by what it
 * measures, never by what it should be: a cloud voice is just a WAV at another
 * level. The mix is then normalised as a whole and true-peak limited, and the
 * gain is corrected until the limited mix measures on target. What is kept is
 * the sources and one gain curve; the mix itself is made when it is read.
 */
export async function mixSoundtrack(input: {
  music: PcmAudio;
  voice: PcmAudio | null;
  durationSec: number;
  /** The mix's rate (MIX_RATE unless given); sources at another rate are resampled to it. */
  sampleRate?: number;
  withStems?: boolean;
}): Promise<MixedSoundtrack> {
  const rate = input.sampleRate ?? MIX_RATE;
  const frames = Math.round(input.durationSec * rate);
  const music = fit(resampleIfNeeded(input.music, 2, rate), frames);
  const voice = input.voice ? fit(resampleIfNeeded(input.voice, 1, rate), frames).channels[0]! : null;
  const voiceLoudness = voice ? integratedLoudness({ sampleRate: rate, channels: [voice] }) : -Infinity;
  const speaking = voice && Number.isFinite(voiceLoudness) ? voice : null;

  const musicLoudness = integratedLoudness(music);
  const musicGain = Number.isFinite(musicLoudness)
    ? dbToGain((speaking ? MUSIC_UNDER_NARRATION_LUFS : VOICE_LUFS) - musicLoudness)
    : 1;
  const voiceGain = speaking ? dbToGain(VOICE_LUFS - voiceLoudness) : 0;
  const duck = speaking ? duckingGain(speaking, rate) : null;
  const sources = new Sources(rate, frames, music.channels, musicGain, duck, speaking, voiceGain);

  const { gain, truePeakDbtp, integratedLufs } = await normalise(sources);
  const mix: Mix = {
    sampleRate: rate,
    frames,
    fill(channel, from, to, out, scale = 1) {
      sources.fill(channel, from, to, out);
      for (let i = from, o = 0; i < to; i++, o++)
        out[o] = scale === 1 ? out[o]! * gain[i]! : Math.fround(out[o]! * gain[i]!) * scale;
    },
  };
  const result: MixedSoundtrack = { mix, figures: await measureMix(sources, gain, { integratedLufs, truePeakDbtp }) };
  if (input.withStems) result.stems = stemsOf(sources, gain);
  return result;
}

/**
 * Gain to target, true-peak limiting, and up to four corrections for what the
 * limiter took away; with the result's true peak. Returns the gain curve: the
 * limited mix is the summed mix times it.
 */
async function normalise(
  sources: Sources,
): Promise<{ gain: Float32Array; truePeakDbtp: number; integratedLufs: number }> {
  const { frames } = sources;
  const ceiling = dbToGain(PEAK_CEILING_DBTP);
  const limiter = new Limiter(await linkedPeaks(sources), sources.rate, ceiling);
  const gain = new Float32Array(frames);
  const measured = await loudnessOf(sources, null);
  // Loudness rises by less than the static gain once the limiter bites, so each step is taken along the slope the
  // last two tries showed (a secant): on target in two or three tries where plain steps take five.
  let gainDb = Number.isFinite(measured) ? LOUDNESS_TARGET_LUFS - measured : 0;
  let previous: { gainDb: number; loudness: number } | null = null;
  let loudness = -Infinity;
  for (let attempt = 0; attempt < 5; attempt++) {
    limiter.curve(dbToGain(gainDb), gain);
    loudness = await loudnessOf(sources, gain);
    if (!Number.isFinite(loudness) || Math.abs(loudness - LOUDNESS_TARGET_LUFS) < 0.1) break;
    const slope =
      previous && gainDb !== previous.gainDb ? (loudness - previous.loudness) / (gainDb - previous.gainDb) : 1;
    previous = { gainDb, loudness };
    gainDb += (LOUDNESS_TARGET_LUFS - loudness) / Math.min(1, Math.max(0.2, slope));
  }
  // The gain curve's own movement can nudge an inter-sample peak past the ceiling: take it back if so.
  const truePeakDbtp = await limitedTruePeakDb(sources, gain);
  const overshoot = truePeakDbtp - PEAK_CEILING_DBTP;
  if (overshoot <= 0) return { gain, truePeakDbtp, integratedLufs: loudness };
  // A constant gain scales the reconstructed peaks, and the loudness, by the same factor.
  const backDb = -overshoot - 0.05;
  const back = dbToGain(backDb);
  for (let i = 0; i < frames; i++) gain[i] = gain[i]! * back;
  return { gain, truePeakDbtp: truePeakDbtp + backDb, integratedLufs: loudness + backDb };
}

/** The summed mix's stereo-linked true peaks, sample by sample. */
async function linkedPeaks(sources: Sources): Promise<Float32Array> {
  const { frames } = sources;
  const peaks = new Float32Array(frames);
  const window = new Float32Array(CHUNK + 2 * PEAK_MARGIN);
  for (const channel of [0, 1]) {
    await inChunks(frames, (from, to) => {
      const start = Math.max(0, from - PEAK_MARGIN);
      sources.fill(channel, start, Math.min(frames, to + PEAK_MARGIN), window);
      addInterSamplePeaks(window, start, frames, from, to, peaks.subarray(from, to));
    });
  }
  return peaks;
}

/** True peak (dBTP) of the summed mix times `gain`. */
async function limitedTruePeakDb(sources: Sources, gain: Float32Array): Promise<number> {
  const { frames } = sources;
  const window = new Float32Array(CHUNK + 2 * PEAK_MARGIN);
  const peaks = new Float32Array(CHUNK);
  let peak = 0;
  for (const channel of [0, 1]) {
    await inChunks(frames, (from, to) => {
      const start = Math.max(0, from - PEAK_MARGIN);
      const end = Math.min(frames, to + PEAK_MARGIN);
      sources.fill(channel, start, end, window);
      for (let i = start; i < end; i++) window[i - start] = window[i - start]! * gain[i]!;
      peaks.fill(0);
      addInterSamplePeaks(window, start, frames, from, to, peaks);
      for (let i = 0; i < to - from; i++) if (peaks[i]! > peak) peak = peaks[i]!;
    });
  }
  return peak > 0 ? 20 * Math.log10(peak) : -Infinity;
}

/** Integrated loudness of the summed mix, times `gain` if given. */
async function loudnessOf(sources: Sources, gain: Float32Array | null): Promise<number> {
  const meter = new LoudnessMeter(sources.rate, 2, sources.frames);
  const chunk = new Float32Array(CHUNK);
  for (const channel of [0, 1]) {
    await inChunks(sources.frames, (from, to) => {
      sources.fill(channel, from, to, chunk);
      meter.add(channel, chunk, gain ? gain.subarray(from, to) : null, to - from);
    });
  }
  return meter.loudness();
}

/**
 * What the finished mix measures (its loudness and true peak as normalising
 * left them), and the voice's loudness over the ducked music's (as they sit in
 * the mix, over the 400 ms blocks where the voice speaks).
 */
async function measureMix(
  sources: Sources,
  gain: Float32Array,
  levels: { integratedLufs: number; truePeakDbtp: number },
): Promise<MixFigures> {
  if (!sources.speaking) return { ...levels, voiceOverMusicDb: null };
  const { frames } = sources;
  const voice = new LoudnessMeter(sources.rate, 2, frames);
  const music = new LoudnessMeter(sources.rate, 2, frames);
  const chunk = new Float32Array(CHUNK);
  for (const channel of [0, 1]) {
    await inChunks(frames, (from, to) => {
      const count = to - from;
      const curve = gain.subarray(from, to);
      sources.voiceStem(from, to, chunk);
      voice.add(channel, chunk, curve, count);
      sources.musicStem(channel, from, to, chunk);
      music.add(channel, chunk, curve, count);
    });
  }
  return { ...levels, voiceOverMusicDb: voiceOverMusic(voice.powers(), music.powers()) };
}

/** Loudness of the voice minus that of the ducked music, over the 400 ms blocks where the voice speaks. */
function voiceOverMusic(voiceBlocks: Float64Array, musicBlocks: Float64Array): number {
  const voiceLevel = gatedLoudness(voiceBlocks);
  const speaking = [...voiceBlocks.keys()].filter(
    (b) => -0.691 + 10 * Math.log10(voiceBlocks[b]! || 1e-30) > voiceLevel - 10,
  );
  const mean = (powers: Float64Array) =>
    speaking.reduce((sum, b) => sum + powers[b]!, 0) / Math.max(1, speaking.length);
  return 10 * Math.log10(mean(voiceBlocks) / Math.max(1e-30, mean(musicBlocks)));
}

/** The voice (on both channels) and the ducked music, each times the final gain: they add up to the mix. */
function stemsOf(sources: Sources, gain: Float32Array): { voice: PcmAudio; music: PcmAudio } {
  const { frames } = sources;
  const voice = new Float32Array(frames);
  sources.voiceStem(0, frames, voice);
  for (let i = 0; i < frames; i++) voice[i] = voice[i]! * gain[i]!;
  const music = [0, 1].map((channel) => {
    const out = new Float32Array(frames);
    sources.musicStem(channel, 0, frames, out);
    for (let i = 0; i < frames; i++) out[i] = out[i]! * gain[i]!;
    return out;
  });
  return {
    voice: { sampleRate: sources.rate, channels: [voice, voice.slice()] },
    music: { sampleRate: sources.rate, channels: music },
  };
}

function resampleIfNeeded(audio: PcmAudio, channelCount: number, rate: number): PcmAudio {
  return audio.sampleRate === rate && audio.channels.length === channelCount
    ? audio
    : resample(audio, rate, channelCount);
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
