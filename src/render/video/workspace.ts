import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Media } from '../../schemas/media.js';
import { audioRateOf, isDraft, type Shot, type Storyboard } from '../../schemas/run.js';
import { RenderError } from '../errors.js';
import { probeMedia, probeReport, runFfmpeg, type ProbedMedia } from '../ffmpeg.js';
import { fpsOf, frameSpans, totalFramesOf } from '../graph.js';
import { chaptersMetadata, concatList, joinArgs, pictureArgs, shotsInRange, type FrameRange } from './segment.js';
import { forcedKeyframes, stretchBoundaries } from './stretches.js';
import { writeSoundtrack, type SoundtrackFigures } from '../sound/soundtrack.js';
import type { ClipSound } from '../sound/clip-sound.js';
import { motionPath, type Box, type Size } from '../picture/motion.js';
import { planesBytes, type Planes } from '../picture/planes.js';
import { canvasSize } from '../picture/crop.js';
import { prepareCanvas, preparePairCanvas, type PreparedCanvas } from '../picture/prepare.js';
import { prepareMapCanvas } from '../picture/map/map-canvas.js';
import { routeAnimation } from '../picture/map/route-stroke.js';
import { ClipFrames } from '../picture/clip-frames.js';
import { parseClipReport } from './clip-report.js';
import { renderFrames, type FramePlan, type LoadedShot } from '../picture/render-frames.js';
import { captionOverlay, titleOverlay } from '../picture/text.js';

/** Loads a photo's record and bytes by media id. */
export type PhotoLoader = (mediaId: string) => Promise<{ media: Media; bytes: Uint8Array }>;

/** The probe of a video that passed its check: both streams are there. */
export type CheckedProbe = ProbedMedia & {
  video: NonNullable<ProbedMedia['video']>;
  audio: NonNullable<ProbedMedia['audio']>;
};

export interface ComposedVideo {
  mp4: Buffer;
  poster: Buffer;
  probe: CheckedProbe;
  /** Loudness, true peak and voice-over-music of the mix as it went into the encoder; null for sound copied from an earlier video. */
  soundtrack: SoundtrackFigures | null;
}

export interface RenderAudio {
  music: Uint8Array;
  voice: Uint8Array | null;
  /** The clip shots' own sound, laid under the narration. */
  clips?: ClipSound[] | undefined;
}

export interface RenderOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Frames encoded past a segment's end and dropped: more than x264's lookahead at the preset used. */
const SEGMENT_TAIL_FRAMES = 15;

const encodedRange = (range: FrameRange, totalFrames: number): FrameRange => ({
  from: range.from,
  to: Math.min(totalFrames, range.to + SEGMENT_TAIL_FRAMES),
});

/** Photos prepared at once: each 12 MP decode holds ~36 MB, so memory stays flat however many shots there are. */
const PREPARE_CONCURRENCY = 2;

/** Largest accepted gap between the requested and the rendered duration. */
export const DURATION_TOLERANCE_SEC = 0.25;

/** Colour as a browser will read it: BT.709 primaries, transfer and matrix, limited range. */
export const BT709_TAGS = [
  '-color_primaries',
  'bt709',
  '-color_trc',
  'bt709',
  '-colorspace',
  'bt709',
  '-color_range',
  'tv',
];

/**
 * H.264 settings. No B-frames: x264's B-frames predict a slowly panning picture
 * from quarter-pixel motion vectors and drop the small correction, so single
 * frames land up to 0.3 px off and a smooth pan measures 2-3× the judder. Small
 * frames get a lower CRF for the same reason: at 360p CRF 23 drops enough of
 * that correction to make a vertical pan measure 0.12 px/frame² (0.08 at CRF 20).
 */
export function x264Args(frame: { width: number; height: number; fps?: number | undefined }): string[] {
  // A preview's draft is encoded at superfast: a quarter less time at 360p, 20 % larger, and as smooth (measured on a
  // 180 s preview: judder 0.080 max against 0.101 at veryfast). ultrafast is faster still but estimates motion in
  // whole pixels, and its slow pans judder (0.25).
  const preset = isDraft(frame) ? 'superfast' : 'veryfast';
  return [
    '-c:v',
    'libx264',
    '-preset',
    preset,
    '-crf',
    Math.min(frame.width, frame.height) <= 480 ? '20' : '23',
    '-bf',
    '0',
  ];
}

/** A promise and the functions that settle it. */
function settles(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
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

/**
 * A scratch directory for one render. Photos are prepared as canvases in
 * BT.709 YUV; `render` draws the frames and pipes them to ffmpeg. A render may
 * start before its photos are ready: each shot's frames wait for its canvas,
 * so preparing the later photos overlaps drawing the first ones. `dispose`
 * removes everything.
 */
export class ComposeWorkspace {
  /** Where each shot's focus lies on its canvas. */
  private readonly focus: Box[] = [];
  /** Each shot's canvas size (a crop's canvas reaches further along a wide or tall photo). */
  private readonly canvases: Size[] = [];
  /** Each shot being prepared: settles when its canvas is written. */
  private readonly prepared = new Map<number, Promise<void>>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<ComposeWorkspace> {
    staleSwept ??= sweepStaleWorkspaces().catch(() => undefined);
    await staleSwept;
    return new ComposeWorkspace(await mkdtemp(join(tmpdir(), `${WORKSPACE_PREFIX}${process.pid}-`)));
  }

  /**
   * Each shot's canvas, written as shot-N.yuv; with `only`, just those shots (a
   * segment needs a few). Shots are prepared in timeline order, two at a time.
   */
  async prepareShots(
    storyboard: Storyboard,
    load: PhotoLoader,
    onProgress?: (fraction: number) => void,
    only?: ReadonlySet<number>,
  ): Promise<void> {
    const queue = storyboard.shots
      .map((shot, i) => ({ shot, i, done: settles() }))
      .filter(({ i }) => !only || only.has(i));
    for (const { i, done } of queue) {
      // A shot no frame waits for must not leave its failure unhandled.
      done.promise.catch(() => undefined);
      this.prepared.set(i, done.promise);
    }
    const count = queue.length;
    let prepared = 0;
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          // A clip is decoded as its frames are drawn: only its file is kept here.
          if (next.shot.kind === 'clip') {
            const { bytes } = await load(next.shot.mediaId!);
            await writeFile(join(this.dir, `clip-${next.i}`), bytes);
          } else {
            const canvas = await this.prepareOne(storyboard, next.shot, load);
            this.focus[next.i] = canvas.focus;
            this.canvases[next.i] = { width: canvas.planes.width, height: canvas.planes.height };
            await writeFile(join(this.dir, `shot-${next.i}.yuv`), planesBytes(canvas.planes));
          }
          next.done.resolve();
        } catch (error) {
          next.done.reject(error);
          for (const rest of queue.splice(0)) rest.done.reject(error);
          throw error;
        }
        onProgress?.(++prepared / count);
      }
    };
    await Promise.all(Array.from({ length: PREPARE_CONCURRENCY }, worker));
  }

  /** One shot's canvas: its photo (or a portrait pair's two), or for a map shot the map drawn from the bundled land outlines. */
  private async prepareOne(storyboard: Storyboard, shot: Shot, load: PhotoLoader): Promise<PreparedCanvas> {
    const frame = { width: storyboard.width, height: storyboard.height };
    if (shot.map) return prepareMapCanvas(shot.map, storyboard, frame);
    const { media, bytes } = await load(shot.mediaId!);
    if (shot.pair) {
      const right = await load(shot.pair.mediaId);
      return preparePairCanvas({ media, bytes, focus: shot.focus }, { ...right, focus: shot.pair.focus }, frame);
    }
    return prepareCanvas(media, bytes, shot, frame);
  }

  /** The shots `renderPicture` draws for a segment of the timeline (its tail included). */
  static shotsFor(storyboard: Storyboard, range: FrameRange): Set<number> {
    return shotsInRange(
      frameSpans(storyboard.shots, fpsOf(storyboard)),
      encodedRange(range, totalFramesOf(storyboard)),
    );
  }

  private async framePlan(storyboard: Storyboard, ffmpeg: string): Promise<FramePlan> {
    const frame = { width: storyboard.width, height: storyboard.height, aspect: storyboard.aspect };
    const spans = frameSpans(storyboard.shots, fpsOf(storyboard));
    const canvasOf = (i: number) => this.canvases[i] ?? canvasSize(frame);
    const readCanvas = async (i: number): Promise<Planes> => {
      const canvas = canvasOf(i);
      const bytes = new Uint8Array(await readFile(join(this.dir, `shot-${i}.yuv`)));
      const lumaSize = canvas.width * canvas.height;
      const chromaSize = lumaSize >> 2;
      return {
        ...canvas,
        y: bytes.subarray(0, lumaSize),
        u: bytes.subarray(lumaSize, lumaSize + chromaSize),
        v: bytes.subarray(lumaSize + chromaSize),
      };
    };
    return {
      width: frame.width,
      height: frame.height,
      fps: fpsOf(storyboard),
      totalFrames: totalFramesOf(storyboard),
      transition: storyboard.transition,
      title: storyboard.title ? await titleOverlay(storyboard.title, frame) : null,
      shots: storyboard.shots.map((shot, i) => ({
        ...spans[i]!,
        load: async () => {
          await this.prepared.get(i);
          const frames = spans[i]!.end - spans[i]!.start;
          const caption = shot.caption ? await captionOverlay(shot.caption, frame) : null;
          if (shot.kind === 'clip')
            return { ...(await this.clipShot(i, shot, { ffmpeg, frame, fps: fpsOf(storyboard) })), caption };
          const base = await readCanvas(i);
          return {
            ...(shot.map ? routeAnimation(shot.map, storyboard, frame, base, frames) : { canvas: base }),
            caption,
            // The motion keeps the shot's focus in frame: known once its canvas is made.
            path: motionPath(shot.motion, canvasOf(i), frame, this.focus[i] ?? null, frames),
          };
        },
      })),
    };
  }

  /**
   * A clip shot: its frames decoded in order into a frame-sized canvas shown whole (no motion), tone-mapped
   * when the clip is HDR.
   */
  private async clipShot(
    i: number,
    shot: Shot,
    { ffmpeg, frame, fps }: { ffmpeg: string; frame: Size; fps: number },
  ): Promise<Omit<LoadedShot, 'caption'>> {
    const file = join(this.dir, `clip-${i}`);
    const frames = new ClipFrames({
      ffmpeg,
      file,
      startSec: shot.clipStartSec ?? 0,
      width: frame.width,
      height: frame.height,
      fps,
      hdr: parseClipReport(await probeReport(ffmpeg, file)).hdr,
    });
    const whole = { left: 0, top: 0, width: frame.width, height: frame.height };
    return {
      canvas: frames.planes,
      path: () => whole,
      advance: async (index) => void (await frames.frameAt(index)),
      close: () => frames.close(),
    };
  }

  /**
   * Renders the shots with the audio, checks the result's streams and
   * duration, and grabs a poster frame. The soundtrack is mixed and encoded
   * while the frames are drawn (its mixing gives way between pieces, its
   * encoding is another process), the picture is encoded alone, and the two
   * are muxed as segments are: so x264, which sets the pace, never waits for the sound.
   */
  async render(
    storyboard: Storyboard,
    audio: RenderAudio,
    ffmpeg: string,
    options: RenderOptions = {},
  ): Promise<ComposedVideo> {
    const halt = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
    const soundtrack = writeSoundtrack(this.dir, storyboard.durationSec, audio, ffmpeg, {
      signal,
      sampleRate: audioRateOf(storyboard),
    });
    // Awaited once the picture is encoded; until then a failure must not go unhandled.
    soundtrack.catch(() => undefined);
    let picture: string;
    try {
      picture = await this.renderPicture(storyboard, { from: 0, to: totalFramesOf(storyboard) }, ffmpeg, options);
    } catch (error) {
      halt.abort(error);
      await soundtrack.catch(() => undefined);
      throw error;
    }
    return this.join(storyboard, await soundtrack, [picture], ffmpeg, options);
  }

  /**
   * Renders frames [from, to) of the prepared shots to a picture-only MP4 in
   * the workspace, with the encoder settings every segment shares; returns its path.
   * x264 spends bits on a frame by how much later frames borrow from it, so the
   * last frames of a stream come out softer and nearly still; a segment is
   * therefore encoded a little past its end and those frames are dropped (no
   * B-frames: nothing kept refers to them), so its last frames match a whole render's.
   */
  async renderPicture(
    storyboard: Storyboard,
    range: FrameRange,
    ffmpeg: string,
    options: RenderOptions = {},
  ): Promise<string> {
    const plan = await this.framePlan(storyboard, ffmpeg);
    const encoded = join(this.dir, `picture-${range.from}-${range.to}-tail.mp4`);
    const output = join(this.dir, `picture-${range.from}-${range.to}.mp4`);
    const frames = range.to - range.from;
    const through = encodedRange(range, plan.totalFrames);
    const signal = options.signal ? { signal: options.signal } : {};
    let drawn = 0;
    // A keyframe at every transition's start and end, so a later edit can copy every stretch it leaves alone.
    const keyframes = forcedKeyframes(stretchBoundaries(storyboard), through);
    const encoder = [...x264Args(storyboard), ...keyframes];
    await runFfmpeg(ffmpeg, pictureArgs(storyboard, plan.fps, encoder, BT709_TAGS, encoded), {
      ...signal,
      feed: (write) =>
        renderFrames(
          plan,
          async (bytes) => {
            await write(bytes);
            options.onProgress?.(Math.min(1, ++drawn / frames));
          },
          options.signal,
          through,
        ),
    });
    // Nothing past the range was encoded (the range reaches the end): the file is the picture as it is.
    if (through.to === range.to) return encoded;
    await runFfmpeg(ffmpeg, ['-i', encoded, '-map', '0:v', '-c', 'copy', '-frames:v', String(frames), output], signal);
    await rm(encoded, { force: true });
    return output;
  }

  /** Mixes and encodes the soundtrack of the whole timeline into the workspace, for `join`. */
  soundtrack(
    storyboard: Storyboard,
    audio: RenderAudio,
    ffmpeg: string,
    signal?: AbortSignal,
  ): Promise<SoundtrackFigures> {
    return writeSoundtrack(this.dir, storyboard.durationSec, audio, ffmpeg, {
      ...(signal ? { signal } : {}),
      sampleRate: audioRateOf(storyboard),
    });
  }

  /**
   * Joins picture segments (in timeline order) by stream copy, muxes the
   * soundtrack `soundtrack` made for the whole timeline, writes the
   * storyboard's chapters into the MP4, and checks the result as a single
   * render is checked.
   */
  async join(
    storyboard: Storyboard,
    soundtrack: SoundtrackFigures | null,
    pictures: string[],
    ffmpeg: string,
    options: RenderOptions = {},
  ): Promise<ComposedVideo> {
    const { dir } = this;
    const list = join(dir, 'segments.txt');
    await writeFile(list, concatList(pictures));
    const output = join(dir, 'final.mp4');
    const chaptersFile = storyboard.chapters.length > 0 ? join(dir, 'chapters.txt') : undefined;
    if (chaptersFile) await writeFile(chaptersFile, chaptersMetadata(storyboard.chapters, storyboard.durationSec));
    await runFfmpeg(
      ffmpeg,
      joinArgs({ dir, listFile: list, durationSec: storyboard.durationSec, output, chaptersFile }),
      options.signal ? { signal: options.signal } : {},
    );
    return this.checked(storyboard, output, soundtrack, ffmpeg, options.signal);
  }

  /** Checks a finished video's streams and duration, and grabs a poster frame. */
  private async checked(
    storyboard: Storyboard,
    output: string,
    soundtrack: SoundtrackFigures | null,
    ffmpeg: string,
    signal?: AbortSignal,
  ): Promise<ComposedVideo> {
    const probe = await probeMedia(ffmpeg, output);
    if (
      probe.video?.codec !== 'h264' ||
      probe.audio?.codec !== 'aac' ||
      Math.abs(probe.durationSec - storyboard.durationSec) > DURATION_TOLERANCE_SEC
    ) {
      throw new RenderError({
        errorClass: 'internal',
        code: 'output_invalid',
        message: `Rendered video failed its check: ${probe.video?.codec ?? 'no video'}/${probe.audio?.codec ?? 'no audio'}, ${probe.durationSec.toFixed(2)} s for ${storyboard.durationSec} s.`,
        retryable: true,
      });
    }
    const poster = join(this.dir, 'poster.jpg');
    await runFfmpeg(
      ffmpeg,
      [
        '-ss',
        Math.min(1.5, storyboard.durationSec / 3).toFixed(2),
        '-i',
        output,
        '-frames:v',
        '1',
        '-q:v',
        '4',
        poster,
      ],
      signal ? { signal } : {},
    );
    return {
      mp4: await readFile(output),
      poster: await readFile(poster),
      probe: { ...probe, video: probe.video, audio: probe.audio },
      soundtrack,
    };
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
