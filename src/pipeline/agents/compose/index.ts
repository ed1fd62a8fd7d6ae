import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../../schemas/media.js';
import type { Storyboard } from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { probeMedia, runFfmpeg, type ProbedMedia } from './ffmpeg.js';
import { buildFilterGraph, FPS, frameSpans } from './graph.js';
import { motionPath, type Box } from './motion.js';
import { planesBytes, type Planes } from './planes.js';
import { canvasSize, prepareCanvas } from './prepare.js';
import { renderFrames, type FramePlan } from './render-frames.js';
import { captionOverlay, titleOverlay } from './text.js';

/** Loads a photo's record and bytes by media id. */
export type PhotoLoader = (mediaId: string) => Promise<{ media: Media; bytes: Uint8Array }>;

export interface ComposedVideo {
  mp4: Buffer;
  poster: Buffer;
  probe: ProbedMedia;
}

/** Photos prepared at once: each 12 MP decode holds ~36 MB, so memory stays flat however many shots there are. */
const PREPARE_CONCURRENCY = 2;

/** Largest accepted gap between the requested and the rendered duration. */
export const DURATION_TOLERANCE_SEC = 0.25;

/** Colour as a browser will read it: BT.709 primaries, transfer and matrix, limited range. */
export const BT709_TAGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];

/**
 * H.264 settings. No B-frames: x264's B-frames predict a slowly panning picture
 * from quarter-pixel motion vectors and drop the small correction, so single
 * frames land up to 0.3 px off and a smooth pan measures 2-3× the judder. Small
 * frames get a lower CRF for the same reason: at 360p CRF 23 drops enough of
 * that correction to make a vertical pan measure 0.12 px/frame² (0.08 at CRF 20).
 */
export function x264Args(frame: { width: number; height: number }): string[] {
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', Math.min(frame.width, frame.height) <= 480 ? '20' : '23', '-bf', '0'];
}

/** The ffmpeg arguments for a render: raw BT.709 frames on stdin, the soundtrack's graph, H.264/AAC tagged BT.709, faststart. */
export function composeArgs(storyboard: Storyboard, dir: string, hasVoice: boolean): string[] {
  const args = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${storyboard.width}x${storyboard.height}`, '-r', String(FPS), ...BT709_TAGS, '-i', 'pipe:0'];
  args.push('-i', join(dir, 'music.wav'));
  if (hasVoice) args.push('-i', join(dir, 'voice.wav'));
  args.push(
    '-filter_complex_script', join(dir, 'graph.txt'),
    '-map', '0:v', '-map', '[aout]',
    ...x264Args(storyboard), '-pix_fmt', 'yuv420p', ...BT709_TAGS,
    '-c:a', 'aac', '-b:a', '160k', '-ar', '44100', '-ac', '2',
    '-movflags', '+faststart',
    '-t', storyboard.durationSec.toFixed(3),
    join(dir, 'final.mp4'),
  );
  return args;
}

/**
 * A scratch directory for one render. Photos are prepared (as canvases in
 * BT.709 YUV) while the audio is still being made; `render` then draws the
 * frames and pipes them to ffmpeg. `dispose` removes everything.
 */
export class ComposeWorkspace {
  /** Where each shot's focus lies on its canvas. */
  private readonly focus: Box[] = [];

  private constructor(readonly dir: string) {}

  static async create(): Promise<ComposeWorkspace> {
    return new ComposeWorkspace(await mkdtemp(join(tmpdir(), 'sirtrav-compose-')));
  }

  /** Each shot's canvas, written as shot-N.yuv. */
  async prepareShots(storyboard: Storyboard, load: PhotoLoader, onProgress?: (fraction: number) => void): Promise<void> {
    const frame = { width: storyboard.width, height: storyboard.height };
    const queue = storyboard.shots.map((shot, i) => ({ shot, i }));
    let prepared = 0;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { media, bytes } = await load(next.shot.mediaId);
        const canvas = await prepareCanvas(media, bytes, next.shot, frame);
        this.focus[next.i] = canvas.focus;
        await writeFile(join(this.dir, `shot-${next.i}.yuv`), planesBytes(canvas.planes));
        onProgress?.(++prepared / storyboard.shots.length);
      }
    };
    await Promise.all(Array.from({ length: PREPARE_CONCURRENCY }, worker));
  }

  private async framePlan(storyboard: Storyboard): Promise<FramePlan> {
    const frame = { width: storyboard.width, height: storyboard.height, aspect: storyboard.aspect };
    const canvas = canvasSize(frame);
    const spans = frameSpans(storyboard.shots);
    const readCanvas = async (i: number): Promise<Planes> => {
      const bytes = new Uint8Array(await readFile(join(this.dir, `shot-${i}.yuv`)));
      const lumaSize = canvas.width * canvas.height;
      const chromaSize = lumaSize >> 2;
      return { ...canvas, y: bytes.subarray(0, lumaSize), u: bytes.subarray(lumaSize, lumaSize + chromaSize), v: bytes.subarray(lumaSize + chromaSize) };
    };
    return {
      width: frame.width,
      height: frame.height,
      fps: FPS,
      totalFrames: Math.round(storyboard.durationSec * FPS),
      transition: storyboard.transition,
      title: storyboard.title ? await titleOverlay(storyboard.title, frame) : null,
      shots: storyboard.shots.map((shot, i) => ({
        ...spans[i]!,
        path: motionPath(shot.motion, canvas, frame, this.focus[i] ?? null, spans[i]!.end - spans[i]!.start),
        load: async () => ({ canvas: await readCanvas(i), caption: shot.caption ? await captionOverlay(shot.caption, frame) : null }),
      })),
    };
  }

  /** Renders the prepared shots with the audio, checks the result's streams and duration, and grabs a poster frame. */
  async render(storyboard: Storyboard, audio: { music: Uint8Array; voice: Uint8Array | null }, ffmpeg: string, options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {}): Promise<ComposedVideo> {
    const { dir } = this;
    await writeFile(join(dir, 'music.wav'), audio.music);
    if (audio.voice) await writeFile(join(dir, 'voice.wav'), audio.voice);
    const graph = buildFilterGraph({ durationSec: storyboard.durationSec, musicInput: 1, voiceInput: audio.voice ? 2 : null });
    await writeFile(join(dir, 'graph.txt'), graph);
    const plan = await this.framePlan(storyboard);
    const signal = options.signal ? { signal: options.signal } : {};
    await runFfmpeg(ffmpeg, composeArgs(storyboard, dir, audio.voice !== null), {
      durationSec: storyboard.durationSec,
      ...signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      feed: (write) => renderFrames(plan, write, options.signal),
    });
    const output = join(dir, 'final.mp4');
    const probe = await probeMedia(ffmpeg, output);
    if (probe.video?.codec !== 'h264' || probe.audio?.codec !== 'aac' || Math.abs(probe.durationSec - storyboard.durationSec) > DURATION_TOLERANCE_SEC) {
      throw new PipelineError('internal', 'output_invalid', `Rendered video failed its check: ${probe.video?.codec ?? 'no video'}/${probe.audio?.codec ?? 'no audio'}, ${probe.durationSec.toFixed(2)} s for ${storyboard.durationSec} s.`, { retryable: true });
    }
    await runFfmpeg(ffmpeg, ['-ss', Math.min(1.5, storyboard.durationSec / 3).toFixed(2), '-i', output, '-frames:v', '1', '-q:v', '4', join(dir, 'poster.jpg')], signal);
    return { mp4: await readFile(output), poster: await readFile(join(dir, 'poster.jpg')), probe };
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
