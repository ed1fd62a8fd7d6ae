import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../../schemas/media.js';
import type { Storyboard } from '../../../schemas/run.js';
import { measureLoudness } from '../../audio/measure.js';
import { LOUDNESS_TARGET_LUFS, mixSoundtrack, type MixFigures } from '../../audio/mix.js';
import { decodeWav, encodeWav } from '../../audio/wav.js';
import { PipelineError } from '../../errors.js';
import { encodeSoundtrackArgs, SOUNDTRACK_AAC, SOUNDTRACK_WAV, soundtrackArgs } from './audio-graph.js';
import { probeMedia, runFfmpeg, type ProbedMedia } from './ffmpeg.js';
import { FPS, frameSpans } from './graph.js';
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
  /** Loudness, true peak and voice-over-music of the mix as it went into the encoder. */
  soundtrack: SoundtrackFigures;
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

/** The ffmpeg arguments for a render: raw BT.709 frames on stdin, the encoded soundtrack copied, H.264 tagged BT.709, faststart. */
export function composeArgs(storyboard: Storyboard, dir: string): string[] {
  const audio = soundtrackArgs(dir, 1);
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${storyboard.width}x${storyboard.height}`,
    '-r',
    String(FPS),
    ...BT709_TAGS,
    '-i',
    'pipe:0',
    ...audio.input,
    '-map',
    '0:v',
    ...audio.output,
    ...x264Args(storyboard),
    '-pix_fmt',
    'yuv420p',
    ...BT709_TAGS,
    '-movflags',
    '+faststart',
    '-t',
    storyboard.durationSec.toFixed(3),
    join(dir, 'final.mp4'),
  ];
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
export async function writeSoundtrack(
  dir: string,
  durationSec: number,
  audio: { music: Uint8Array; voice: Uint8Array | null },
  ffmpeg: string,
  signal?: AbortSignal,
): Promise<SoundtrackFigures> {
  const music = decodeWav(audio.music);
  const voice = audio.voice ? decodeWav(audio.voice) : null;
  if (!music || (audio.voice && !voice))
    throw new PipelineError('internal', 'audio_invalid', `The ${music ? 'voice' : 'music'} is not a PCM WAV.`, { retryable: false });
  const { mix, figures } = mixSoundtrack({ music, voice, durationSec });
  const options = signal ? { signal } : {};
  let gainDb = 0;
  let reading = { integratedLufs: figures.integratedLufs, truePeakDbtp: figures.truePeakDbtp };
  for (let pass = 0; pass < 3; pass++) {
    const scaled =
      gainDb === 0 ? mix : { sampleRate: mix.sampleRate, channels: mix.channels.map((channel) => channel.map((value) => value * 10 ** (gainDb / 20))) };
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
 * A scratch directory for one render. Photos are prepared (as canvases in
 * BT.709 YUV) while the audio is still being made; `render` then draws the
 * frames and pipes them to ffmpeg. `dispose` removes everything.
 */
export class ComposeWorkspace {
  /** Where each shot's focus lies on its canvas. */
  private readonly focus: Box[] = [];

  private constructor(readonly dir: string) {}

  static async create(): Promise<ComposeWorkspace> {
    staleSwept ??= sweepStaleWorkspaces().catch(() => undefined);
    await staleSwept;
    return new ComposeWorkspace(await mkdtemp(join(tmpdir(), `${WORKSPACE_PREFIX}${process.pid}-`)));
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
  async render(
    storyboard: Storyboard,
    audio: { music: Uint8Array; voice: Uint8Array | null },
    ffmpeg: string,
    options: { signal?: AbortSignal; onProgress?: (fraction: number) => void } = {},
  ): Promise<ComposedVideo> {
    const { dir } = this;
    const soundtrack = await writeSoundtrack(dir, storyboard.durationSec, audio, ffmpeg, options.signal);
    const plan = await this.framePlan(storyboard);
    const signal = options.signal ? { signal: options.signal } : {};
    await runFfmpeg(ffmpeg, composeArgs(storyboard, dir), {
      durationSec: storyboard.durationSec,
      ...signal,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      feed: (write) => renderFrames(plan, write, options.signal),
    });
    const output = join(dir, 'final.mp4');
    const probe = await probeMedia(ffmpeg, output);
    if (probe.video?.codec !== 'h264' || probe.audio?.codec !== 'aac' || Math.abs(probe.durationSec - storyboard.durationSec) > DURATION_TOLERANCE_SEC) {
      throw new PipelineError(
        'internal',
        'output_invalid',
        `Rendered video failed its check: ${probe.video?.codec ?? 'no video'}/${probe.audio?.codec ?? 'no audio'}, ${probe.durationSec.toFixed(2)} s for ${storyboard.durationSec} s.`,
        { retryable: true },
      );
    }
    await runFfmpeg(
      ffmpeg,
      ['-ss', Math.min(1.5, storyboard.durationSec / 3).toFixed(2), '-i', output, '-frames:v', '1', '-q:v', '4', join(dir, 'poster.jpg')],
      signal,
    );
    return { mp4: await readFile(output), poster: await readFile(join(dir, 'poster.jpg')), probe, soundtrack };
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
