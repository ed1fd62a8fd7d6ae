import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../../schemas/media.js';
import { RESOLUTIONS, type Storyboard } from '../../../schemas/run.js';
import { measureLoudness } from '../../audio/measure.js';
import { LOUDNESS_TARGET_LUFS, mixSoundtrack, type MixFigures } from '../../audio/mix.js';
import { decodeWav, encodeWav } from '../../audio/wav.js';
import { PipelineError } from '../../errors.js';
import { encodeSoundtrackArgs, SOUNDTRACK_AAC, SOUNDTRACK_WAV, soundtrackArgs } from './audio-graph.js';
import { probeMedia, runFfmpeg, type ProbedMedia } from './ffmpeg.js';
import { buildFilterGraph, FPS } from './graph.js';
import { preparePhoto } from './prepare.js';

/** Loads a photo's record and bytes by media id. */
export type PhotoLoader = (mediaId: string) => Promise<{ media: Media; bytes: Uint8Array }>;

export interface ComposedVideo {
  mp4: Buffer;
  poster: Buffer;
  probe: ProbedMedia;
  /** Loudness, true peak and voice-over-music of the mix as it went into the encoder. */
  soundtrack: SoundtrackFigures;
}

/** Photos prepared at once: each 12 MP decode holds ~36 MB, so memory stays flat however many shots there are. */
const PREPARE_CONCURRENCY = 2;

/** Largest accepted gap between the requested and the rendered duration. */
export const DURATION_TOLERANCE_SEC = 0.25;

/** The ffmpeg arguments for a prepared scratch directory (inputs, graph script, H.264/AAC, faststart). */
export function composeArgs(storyboard: Storyboard, dir: string): string[] {
  const args: string[] = [];
  storyboard.shots.forEach((_, i) => args.push('-i', join(dir, `shot-${i}.jpg`)));
  const audio = soundtrackArgs(dir, storyboard.shots.length);
  args.push(
    ...audio.input,
    '-filter_complex_script', join(dir, 'graph.txt'),
    '-map', '[vout]', ...audio.output,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', String(FPS),
    '-movflags', '+faststart',
    '-t', storyboard.durationSec.toFixed(3),
    join(dir, 'final.mp4'),
  );
  return args;
}

const WORKSPACE_PREFIX = 'sirtrav-compose-';
let staleSwept: Promise<void> | undefined;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A host that was killed never ran `dispose`: once per process, scratch
 * directories whose process (named in the directory) is gone are removed.
 */
async function sweepStaleWorkspaces(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^sirtrav-compose-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** Where the encoded soundtrack must land: a little inside the promise (-16 ±1 LUFS, ≤ -1.5 dBTP). */
const AAC_PEAK_LIMIT_DBTP = -1.8;
const AAC_LOUDNESS_TOLERANCE = 0.5;

/**
 * Mixes music and voice (see mixSoundtrack), encodes the mix to AAC and
 * measures the decoded AAC. The encoder's band-limiting can push a true peak
 * up by a decibel or more, so when the reading is off, the mix's gain is
 * corrected by what was measured and it is encoded again (twice at most).
 */
export async function writeSoundtrack(dir: string, durationSec: number, audio: { music: Uint8Array; voice: Uint8Array | null }, ffmpeg: string, signal?: AbortSignal): Promise<SoundtrackFigures> {
  const music = decodeWav(audio.music);
  const voice = audio.voice ? decodeWav(audio.voice) : null;
  if (!music || (audio.voice && !voice)) throw new PipelineError('internal', 'audio_invalid', `The ${music ? 'voice' : 'music'} is not a PCM WAV.`, { retryable: false });
  const { mix, figures } = mixSoundtrack({ music, voice, durationSec });
  const options = signal ? { signal } : {};
  let gainDb = 0;
  let reading = { integratedLufs: figures.integratedLufs, truePeakDbtp: figures.truePeakDbtp };
  for (let pass = 0; pass < 3; pass++) {
    const scaled = gainDb === 0 ? mix : { sampleRate: mix.sampleRate, channels: mix.channels.map((channel) => channel.map((value) => value * 10 ** (gainDb / 20))) };
    await writeFile(join(dir, SOUNDTRACK_WAV), encodeWav(scaled));
    await runFfmpeg(ffmpeg, encodeSoundtrackArgs(dir), options);
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

/**
 * A scratch directory for one render. Photos can be prepared while the audio is
 * still being made; `render` then runs ffmpeg. `dispose` removes everything.
 */
export class ComposeWorkspace {
  private constructor(readonly dir: string) {}

  static async create(): Promise<ComposeWorkspace> {
    staleSwept ??= sweepStaleWorkspaces().catch(() => undefined);
    await staleSwept;
    return new ComposeWorkspace(await mkdtemp(join(tmpdir(), `${WORKSPACE_PREFIX}${process.pid}-`)));
  }

  /** Each shot's photo, upright, cropped and resized for the frame, written as shot-N.jpg. */
  async prepareShots(storyboard: Storyboard, load: PhotoLoader, onProgress?: (fraction: number) => void): Promise<void> {
    const frame = RESOLUTIONS[storyboard.resolution];
    const queue = storyboard.shots.map((shot, i) => ({ shot, i }));
    let prepared = 0;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { media, bytes } = await load(next.shot.mediaId);
        await writeFile(join(this.dir, `shot-${next.i}.jpg`), await preparePhoto(media, bytes, frame));
        onProgress?.(++prepared / storyboard.shots.length);
      }
    };
    await Promise.all(Array.from({ length: PREPARE_CONCURRENCY }, worker));
  }

  /** Renders the prepared shots with the audio, checks the result's streams and duration, and grabs a poster frame. */
  async render(storyboard: Storyboard, audio: { music: Uint8Array; voice: Uint8Array | null }, ffmpeg: string, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}): Promise<ComposedVideo> {
    const frame = RESOLUTIONS[storyboard.resolution];
    const { dir } = this;
    const soundtrack = await writeSoundtrack(dir, storyboard.durationSec, audio, ffmpeg, options.signal);
    const graph = buildFilterGraph({
      width: frame.width,
      height: frame.height,
      durationSec: storyboard.durationSec,
      transitionSec: storyboard.transitionSec,
      shots: storyboard.shots,
    });
    await writeFile(join(dir, 'graph.txt'), graph);
    const signal = options.signal ? { signal: options.signal } : {};
    await runFfmpeg(ffmpeg, composeArgs(storyboard, dir), { durationSec: storyboard.durationSec, ...signal, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    const output = join(dir, 'final.mp4');
    const probe = await probeMedia(ffmpeg, output);
    if (probe.video?.codec !== 'h264' || probe.audio?.codec !== 'aac' || Math.abs(probe.durationSec - storyboard.durationSec) > DURATION_TOLERANCE_SEC) {
      throw new PipelineError('internal', 'output_invalid', `Rendered video failed its check: ${probe.video?.codec ?? 'no video'}/${probe.audio?.codec ?? 'no audio'}, ${probe.durationSec.toFixed(2)} s for ${storyboard.durationSec} s.`, { retryable: true });
    }
    await runFfmpeg(ffmpeg, ['-ss', Math.min(1.5, storyboard.durationSec / 3).toFixed(2), '-i', output, '-frames:v', '1', '-q:v', '4', join(dir, 'poster.jpg')], signal);
    return { mp4: await readFile(output), poster: await readFile(join(dir, 'poster.jpg')), probe, soundtrack };
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
