import { join } from 'node:path';
import { measureLoudness } from './measure.js';
import { LOUDNESS_TARGET_LUFS, MIX_RATE, mixSoundtrack, type MixFigures } from './mix.js';
import { decodeWav, writeWav } from './wav.js';
import { RenderError } from '../errors.js';
import { encodeSoundtrackArgs, SOUNDTRACK_AAC, SOUNDTRACK_WAV } from './audio-graph.js';
import { runFfmpeg } from '../ffmpeg.js';
import { layClipSounds, type ClipSound } from './clip-sound.js';

/** Where the encoded soundtrack must land: a little inside the promise (-16 ±1 LUFS, ≤ -1.5 dBTP). */
const AAC_PEAK_LIMIT_DBTP = -1.8;
const AAC_LOUDNESS_TOLERANCE = 0.5;

/**
 * Mixes music (with each clip shot's own sound laid in: see layClipSounds) and voice (see mixSoundtrack), encodes the mix to AAC and
 * measures the decoded AAC. The encoder's band-limiting can push a true peak
 * up by a decibel or more, so when the reading is off, the mix's gain is
 * corrected by what was measured and it is encoded again (twice at most).
 */
export async function writeSoundtrack(
  dir: string,
  durationSec: number,
  audio: { music: Uint8Array; voice: Uint8Array | null; clips?: ClipSound[] | undefined },
  ffmpeg: string,
  options: { signal?: AbortSignal; sampleRate?: number } = {},
): Promise<SoundtrackFigures> {
  const { signal, sampleRate = MIX_RATE } = options;
  const music = decodeWav(audio.music);
  const voice = audio.voice ? decodeWav(audio.voice) : null;
  if (!music || (audio.voice && !voice))
    throw new RenderError({
      errorClass: 'internal',
      code: 'audio_invalid',
      message: `The ${music ? 'voice' : 'music'} is not a PCM WAV.`,
      retryable: false,
    });
  const bed = await layClipSounds(music, audio.clips ?? [], { ffmpeg, dir, ...(signal ? { signal } : {}) });
  const { mix, figures } = await mixSoundtrack({ music: bed, voice, durationSec, sampleRate });
  const wav = join(dir, SOUNDTRACK_WAV);
  const run = signal ? { signal } : {};
  let gainDb = 0;
  let reading = { integratedLufs: figures.integratedLufs, truePeakDbtp: figures.truePeakDbtp };
  for (let pass = 0; pass < 3; pass++) {
    const scale = 10 ** (gainDb / 20);
    await writeWav(wav, {
      ...mix,
      channelCount: 2,
      fill: (channel, from, to, out) => mix.fill(channel, from, to, out, scale),
    });
    await runFfmpeg(ffmpeg, encodeSoundtrackArgs(dir, sampleRate), run);
    reading = await measureLoudness(ffmpeg, join(dir, SOUNDTRACK_AAC), signal);
    const peakExcess = reading.truePeakDbtp - AAC_PEAK_LIMIT_DBTP;
    const loudnessError = reading.integratedLufs - LOUDNESS_TARGET_LUFS;
    if (peakExcess <= 0 && Math.abs(loudnessError) <= AAC_LOUDNESS_TOLERANCE) break;
    // A peak over the limit comes down first; loudness moves only within the peak's headroom.
    const change = peakExcess > 0 ? -(peakExcess + 0.1) : Math.min(-loudnessError, -peakExcess - 0.1);
    if (Math.abs(change) < 0.05) break;
    gainDb += change;
  }
  return { ...figures, encoded: reading };
}

export interface SoundtrackFigures extends MixFigures {
  /** What the encoded AAC measures, decoded: what a viewer hears. */
  encoded: { integratedLufs: number; truePeakDbtp: number };
}
