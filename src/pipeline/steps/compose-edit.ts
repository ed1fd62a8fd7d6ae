import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { errorFields, log } from '../../log.js';
import { readMediaBytes } from '../../media/library.js';
import { totalFramesOf, fpsOf } from '../../render/graph.js';
import { copySoundtrack, splitPicture } from '../../render/video/reuse.js';
import type { FrameRange } from '../../render/video/segment.js';
import { pictureStretches, type Stretch } from '../../render/video/stretches.js';
import { ComposeWorkspace, x264Args } from '../../render/video/workspace.js';
import { readPictureLayout, readRunState } from '../../runs/index.js';
import type { PictureLayout, Reused } from '../../schemas/edit.js';
import type { Storyboard } from '../../schemas/run.js';
import { openVideo, parseId, type Id } from '../../storage/index.js';
import { inBackground, type RunContext } from '../context.js';

/** The picture of a storyboard as keyed stretches, with the layout an edit of it will read. */
export function layoutOf(storyboard: Storyboard): PictureLayout {
  return {
    width: storyboard.width,
    height: storyboard.height,
    fps: fpsOf(storyboard),
    totalFrames: totalFramesOf(storyboard),
    stretches: pictureStretches(storyboard, x264Args(storyboard)),
  };
}

/** Each stretch of the new picture, and the source piece it is copied from (or null: it is drawn). */
interface Matched {
  stretch: Stretch;
  source: number | null;
}

/** An edit's picture, begun: the pieces in timeline order once drawn, and how much was copied. */
export interface EditedPicture {
  pieces: Promise<string[]>;
  reused: Reused;
  /** The source's sound was copied to the workspace: nothing to mix. */
  soundCopied: boolean;
}

/** Where each clip's own sound sits in a storyboard's mix. */
const clipSoundsOf = (storyboard: Storyboard) =>
  JSON.stringify(
    storyboard.shots
      .filter((shot) => shot.kind === 'clip')
      .map(({ mediaId, startSec, durationSec, clipStartSec }) => ({ mediaId, startSec, durationSec, clipStartSec })),
  );

/** Why an edit's picture is drawn in full: the source's picture cannot be read. */
export class SourceGoneError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceGoneError';
  }
}

/**
 * The picture of an edit run: every stretch whose key the source's layout
 * also has is copied from the source's video byte for byte; the others (the
 * shots and transitions the edits touched) are drawn, each run of them as
 * one encode with keyframes at its stretches. The source's sound is copied
 * too when no edit changes it. Null when no stretch can be copied (a render
 * in full costs less than fetching the source). Throws SourceGoneError when
 * the source's layout or video is no longer stored.
 */
export async function beginEditPicture(options: {
  context: RunContext;
  storyboard: Storyboard;
  workspace: ComposeWorkspace;
  signal: AbortSignal;
}): Promise<EditedPicture | null> {
  const { context, storyboard, workspace, signal } = options;
  const editOf = context.state.request.editOf!;
  const layout = await readPictureLayout(context.projectId, editOf);
  if (!layout) throw new SourceGoneError(`run ${editOf} has no picture layout (made before edits, or removed)`);
  const matched = matchStretches(layout, layoutOf(storyboard));
  const frames = matched.reduce(
    (sum, { stretch, source }) => sum + (source === null ? 0 : stretch.to - stretch.from),
    0,
  );
  if (frames === 0) return null;
  const file = join(workspace.dir, 'source.mp4');
  await downloadVideo(editOf, context.projectId, file);
  const sourcePieces = await splitPicture({
    ffmpeg: context.ffmpeg,
    file,
    ranges: layout.stretches,
    fps: layout.fps,
    dir: workspace.dir,
    signal,
  }).catch((error: unknown) => {
    throw new SourceGoneError(`the video of run ${editOf} is not cut as its layout says`, { cause: error });
  });
  // A clip's own sound is in the mix: moving, removing or replacing a clip changes the sound too.
  const source = await readRunState(context.projectId, editOf);
  const soundCopied =
    !(context.state.request.edits ?? []).some((edit) => edit.op === 'narration' || edit.op === 'music') &&
    source?.storyboard !== undefined &&
    clipSoundsOf(source.storyboard) === clipSoundsOf(storyboard);
  if (soundCopied) await copySoundtrack({ ffmpeg: context.ffmpeg, file, dir: workspace.dir, signal });
  const drawn = drawnRanges(matched);
  await context.reporter.started(
    'compose',
    `copying ${frames} of ${totalFramesOf(storyboard)} frames from run ${editOf}; drawing ${drawn.length} stretches`,
  );
  const pieces = drawStretches({ context, storyboard, workspace, signal, drawn }).then((files) =>
    assemble(matched, sourcePieces, files),
  );
  // Awaited in finish(); until then a failure must not go unhandled.
  pieces.catch(() => undefined);
  return { pieces, reused: { frames, of: totalFramesOf(storyboard) }, soundCopied };
}

/** Each new stretch with the source stretch of the same key (the first unused one), if any. */
function matchStretches(source: PictureLayout, edited: PictureLayout): Matched[] {
  const byKey = new Map<string, number[]>();
  source.stretches.forEach((stretch, i) => byKey.set(stretch.key, [...(byKey.get(stretch.key) ?? []), i]));
  return edited.stretches.map((stretch) => ({ stretch, source: byKey.get(stretch.key)?.shift() ?? null }));
}

/** The frames to draw: each run of stretches with no source, as one range. */
function drawnRanges(matched: Matched[]): FrameRange[] {
  const ranges: FrameRange[] = [];
  for (const { stretch, source } of matched) {
    if (source !== null) continue;
    const last = ranges.at(-1);
    if (last && last.to === stretch.from) last.to = stretch.to;
    else ranges.push({ from: stretch.from, to: stretch.to });
  }
  return ranges;
}

/** The pieces of the new picture in timeline order: copied stretches, and the drawn ranges in their places. */
function assemble(matched: Matched[], sourcePieces: string[], drawn: Map<number, string>): string[] {
  return matched.flatMap(({ stretch, source }) => {
    if (source !== null) return [sourcePieces[source]!];
    const file = drawn.get(stretch.from);
    return file ? [file] : [];
  });
}

/** Draws each range after preparing only the photos it shows; the files by the frame each range starts at. */
async function drawStretches(options: {
  context: RunContext;
  storyboard: Storyboard;
  workspace: ComposeWorkspace;
  signal: AbortSignal;
  drawn: FrameRange[];
}): Promise<Map<number, string>> {
  const { context, storyboard, workspace, signal, drawn } = options;
  const shots = new Set(drawn.flatMap((range) => [...ComposeWorkspace.shotsFor(storyboard, range)]));
  const load = (mediaId: string) => readMediaBytes(context.projectId, parseId(mediaId));
  const prepared = workspace.prepareShots(storyboard, load, undefined, shots);
  prepared.catch(() => undefined);
  const total = drawn.reduce((sum, range) => sum + range.to - range.from, 0);
  const files = new Map<number, string>();
  let done = 0;
  for (const range of drawn) {
    const file = await workspace.renderPicture(storyboard, range, context.ffmpeg, {
      signal,
      onProgress: (fraction) =>
        inBackground(context.reporter.progress('compose', (done + fraction * (range.to - range.from)) / total)),
    });
    done += range.to - range.from;
    files.set(range.from, file);
  }
  await prepared;
  return files;
}

/** Streams a run's stored video (in pieces or whole) to a file. */
async function downloadVideo(runId: Id, projectId: Id, file: string): Promise<void> {
  const video = await openVideo({ runId }).catch((error: unknown) => {
    log.warn('source video unreadable', errorFields(error));
    return null;
  });
  if (!video || video.metadata.projectId !== projectId)
    throw new SourceGoneError(`the video of run ${runId} is no longer stored`);
  try {
    const stream = await video.open(null);
    await pipeline(Readable.fromWeb(stream as WebReadableStream<Uint8Array>), createWriteStream(file));
  } catch (error) {
    throw new SourceGoneError(`the video of run ${runId} could not be read whole`, { cause: error });
  }
}
