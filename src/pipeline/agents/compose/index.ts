import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../../schemas/media.js';
import { RESOLUTIONS, type Storyboard } from '../../../schemas/run.js';
import { mixSoundtrack, type MixFigures } from '../../audio/mix.js';
import { decodeWav, encodeWav } from '../../audio/wav.js';
import { PipelineError } from '../../errors.js';
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
  soundtrack: MixFigures;
}

export const SOUNDTRACK_FILE = 'soundtrack.wav';

/** Mixes music and voice into the soundtrack file ffmpeg encodes (see mixSoundtrack). */
export async function writeSoundtrack(dir: string, durationSec: number, audio: { music: Uint8Array; voice: Uint8Array | null }): Promise<MixFigures> {
  const music = decodeWav(audio.music);
  const voice = audio.voice ? decodeWav(audio.voice) : null;
  if (!music || (audio.voice && !voice)) throw new PipelineError('internal', 'audio_invalid', `The ${music ? 'voice' : 'music'} is not a PCM WAV.`, { retryable: false });
  const { mix, figures } = mixSoundtrack({ music, voice, durationSec });
  await writeFile(join(dir, SOUNDTRACK_FILE), encodeWav(mix));
  return figures;
}

/** Photos prepared at once: each 12 MP decode holds ~36 MB, so memory stays flat however many shots there are. */
const PREPARE_CONCURRENCY = 2;

/** Largest accepted gap between the requested and the rendered duration. */
export const DURATION_TOLERANCE_SEC = 0.25;

/** The ffmpeg arguments for a prepared scratch directory (inputs, graph script, H.264/AAC, faststart). */
export function composeArgs(storyboard: Storyboard, dir: string): string[] {
  const args: string[] = [];
  storyboard.shots.forEach((_, i) => args.push('-i', join(dir, `shot-${i}.jpg`)));
  args.push('-i', join(dir, SOUNDTRACK_FILE));
  args.push(
    '-filter_complex_script', join(dir, 'graph.txt'),
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', String(FPS),
    '-c:a', 'aac', '-b:a', '160k', '-ar', '44100', '-ac', '2',
    '-movflags', '+faststart',
    '-t', storyboard.durationSec.toFixed(3),
    join(dir, 'final.mp4'),
  );
  return args;
}

/**
 * A scratch directory for one render. Photos can be prepared while the audio is
 * still being made; `render` then runs ffmpeg. `dispose` removes everything.
 */
export class ComposeWorkspace {
  private constructor(readonly dir: string) {}

  static async create(): Promise<ComposeWorkspace> {
    return new ComposeWorkspace(await mkdtemp(join(tmpdir(), 'sirtrav-compose-')));
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
    const soundtrack = await writeSoundtrack(dir, storyboard.durationSec, audio);
    const graph = buildFilterGraph({
      width: frame.width,
      height: frame.height,
      durationSec: storyboard.durationSec,
      transitionSec: storyboard.transitionSec,
      shots: storyboard.shots,
      soundtrackInput: storyboard.shots.length,
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
