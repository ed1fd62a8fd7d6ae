import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpegToBuffer } from '../ffmpeg.js';
import { integratedLoudness } from './loudness.js';
import type { PcmAudio } from './wav.js';

/** A clip shot's own sound: its clip's bytes, where the shot sits on the timeline, and where in the clip it starts. */
export interface ClipSound {
  bytes: Uint8Array;
  atSec: number;
  durationSec: number;
  clipStartSec: number;
}

/** A clip's sound sits this far above the music it replaces (in LU), and the music dips this far under it. */
const CLIP_OVER_MUSIC_LU = 4;
const MUSIC_DIP_DB = 12;
/** A quiet clip is lifted at most this much: more would only raise its hiss. */
const MAX_LIFT_DB = 40;
/** Fades at a clip shot's cuts, in and out. */
const FADE_SEC = 0.2;

const dbToGain = (db: number) => 10 ** (db / 20);

/** The clip's sound over the shot, stereo at `rate`; null when the clip has none. */
async function decodeClipSound(
  ffmpeg: string,
  file: string,
  clip: ClipSound,
  rate: number,
  signal?: AbortSignal,
): Promise<Float32Array[] | null> {
  const pcm = await runFfmpegToBuffer(
    ffmpeg,
    ['-v', 'error', '-ss', clip.clipStartSec.toFixed(3), '-t', clip.durationSec.toFixed(3), '-i', file].concat([
      '-map',
      '0:a:0?',
      '-vn',
      '-ac',
      '2',
      '-ar',
      String(rate),
      '-f',
      'f32le',
      'pipe:1',
    ]),
    signal,
  );
  const frames = Math.floor(pcm.byteLength / 8);
  if (frames === 0) return null;
  const interleaved = new Float32Array(pcm.buffer, pcm.byteOffset, frames * 2);
  const channels = [new Float32Array(frames), new Float32Array(frames)];
  for (let i = 0; i < frames; i++) {
    channels[0]![i] = interleaved[2 * i]!;
    channels[1]![i] = interleaved[2 * i + 1]!;
  }
  return channels;
}

/**
 * The music bed with each clip shot's own sound laid in: the clip's sound levelled a little above the music,
 * the music dipped under it, both faded at the shot's cuts. The mix then ducks the whole bed under the
 * narration and brings the total to its loudness target, as it does for music alone.
 */
export async function layClipSounds(
  music: PcmAudio,
  clips: ClipSound[],
  options: { ffmpeg: string; dir: string; signal?: AbortSignal },
): Promise<PcmAudio> {
  if (clips.length === 0) return music;
  const rate = music.sampleRate;
  const [left, right = left] = music.channels;
  const bed = { sampleRate: rate, channels: [left!, right!] };
  const channels = bed.channels.map((channel) => channel.slice());
  const musicLufs = integratedLoudness(bed);
  const dip = new Float32Array(channels[0]!.length).fill(1);
  const fade = Math.round(FADE_SEC * rate);
  for (const [k, clip] of clips.entries()) {
    const file = join(options.dir, `clip-sound-${k}`);
    await writeFile(file, clip.bytes);
    const sound = await decodeClipSound(options.ffmpeg, file, clip, rate, options.signal);
    if (!sound) continue;
    const loudness = integratedLoudness({ sampleRate: rate, channels: sound });
    if (!Number.isFinite(loudness)) continue;
    const target = Number.isFinite(musicLufs) ? musicLufs + CLIP_OVER_MUSIC_LU : -20;
    const gain = dbToGain(Math.min(MAX_LIFT_DB, target - loudness));
    const at = Math.round(clip.atSec * rate);
    const length = Math.min(sound[0]!.length, channels[0]!.length - at, Math.round(clip.durationSec * rate));
    for (let i = 0; i < length; i++) {
      const edge = Math.min(1, (i + 1) / fade, (length - i) / fade);
      for (let c = 0; c < 2; c++) channels[c]![at + i]! += sound[c]![i]! * gain * edge;
      dip[at + i] = Math.min(dip[at + i]!, 1 - (1 - dbToGain(-MUSIC_DIP_DB)) * edge);
    }
  }
  // The dip multiplies the music only: the clip sound was added above, so take it out, dip, and put it back.
  const original = bed.channels;
  for (let c = 0; c < 2; c++) {
    const out = channels[c]!;
    const music = original[c]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - music[i]! + music[i]! * dip[i]!;
  }
  return { sampleRate: rate, channels };
}
