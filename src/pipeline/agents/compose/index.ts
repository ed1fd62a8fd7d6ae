import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../../schemas/media.js';
import { RESOLUTIONS, type Storyboard } from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { probeMedia, runFfmpeg, type ProbedMedia } from './ffmpeg.js';
import { buildFilterGraph, FPS } from './graph.js';
import { preparePhoto } from './prepare.js';

export interface ComposeInput {
  storyboard: Storyboard;
  /** The photos the shots name, by mediaId. */
  photos: Map<string, { media: Media; bytes: Uint8Array }>;
  music: Uint8Array;
  voice: Uint8Array | null;
  ffmpeg: string;
  signal?: AbortSignal;
  /** 0..1 as photos are prepared (first 10 %) and frames are encoded. */
  onProgress?: (fraction: number) => void;
}

export interface ComposedVideo {
  mp4: Buffer;
  poster: Buffer;
  probe: ProbedMedia;
}

/** Largest accepted gap between the requested and the rendered duration. */
export const DURATION_TOLERANCE_SEC = 0.25;

/** The ffmpeg arguments for a prepared scratch directory (inputs, graph script, H.264/AAC, faststart). */
export function composeArgs(storyboard: Storyboard, dir: string, hasVoice: boolean): string[] {
  const args: string[] = [];
  storyboard.shots.forEach((_, i) => args.push('-i', join(dir, `shot-${i}.jpg`)));
  args.push('-i', join(dir, 'music.wav'));
  if (hasVoice) args.push('-i', join(dir, 'voice.wav'));
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
 * Renders the storyboard to an MP4 in a scratch directory (removed afterwards),
 * checks the result's streams and duration, and grabs a poster frame.
 */
export async function composeVideo(input: ComposeInput): Promise<ComposedVideo> {
  const { storyboard } = input;
  const frame = RESOLUTIONS[storyboard.resolution];
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-compose-'));
  try {
    let prepared = 0;
    await Promise.all(
      storyboard.shots.map(async (shot, i) => {
        const photo = input.photos.get(shot.mediaId);
        if (!photo) throw new PipelineError('input', 'media_missing', `Photo ${shot.mediaId} named by the storyboard is gone.`, { retryable: false });
        await writeFile(join(dir, `shot-${i}.jpg`), await preparePhoto(photo.media, photo.bytes, frame));
        input.onProgress?.((++prepared / storyboard.shots.length) * 0.1);
      }),
    );
    await writeFile(join(dir, 'music.wav'), input.music);
    if (input.voice) await writeFile(join(dir, 'voice.wav'), input.voice);
    const graph = buildFilterGraph({
      width: frame.width,
      height: frame.height,
      durationSec: storyboard.durationSec,
      transitionSec: storyboard.transitionSec,
      shots: storyboard.shots,
      musicInput: storyboard.shots.length,
      voiceInput: input.voice ? storyboard.shots.length + 1 : null,
    });
    await writeFile(join(dir, 'graph.txt'), graph);

    await runFfmpeg(input.ffmpeg, composeArgs(storyboard, dir, input.voice !== null), {
      durationSec: storyboard.durationSec,
      onProgress: (fraction) => input.onProgress?.(0.1 + fraction * 0.9),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const output = join(dir, 'final.mp4');
    const probe = await probeMedia(input.ffmpeg, output);
    if (probe.video?.codec !== 'h264' || probe.audio?.codec !== 'aac' || Math.abs(probe.durationSec - storyboard.durationSec) > DURATION_TOLERANCE_SEC) {
      throw new PipelineError('internal', 'output_invalid', `Rendered video failed its check: ${probe.video?.codec ?? 'no video'}/${probe.audio?.codec ?? 'no audio'}, ${probe.durationSec.toFixed(2)} s for ${storyboard.durationSec} s.`, { retryable: true });
    }
    await runFfmpeg(input.ffmpeg, ['-ss', Math.min(1.5, storyboard.durationSec / 3).toFixed(2), '-i', output, '-frames:v', '1', '-q:v', '4', join(dir, 'poster.jpg')], input.signal ? { signal: input.signal } : {});
    return { mp4: await readFile(output), poster: await readFile(join(dir, 'poster.jpg')), probe };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
