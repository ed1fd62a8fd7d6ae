import { setTimeout as sleep } from 'node:timers/promises';
import { getConfig } from '../../config.js';
import { log } from '../../log.js';
import { clearMediaBytesCache } from '../../media/bytes-cache.js';
import { readMediaBytes } from '../../media/library.js';
import { totalFramesOf } from '../../render/graph.js';
import type { ClipSound } from '../../render/sound/clip-sound.js';
import { ComposeWorkspace } from '../../render/video/workspace.js';
import type { CompleteOutputs, Storyboard } from '../../schemas/run.js';
import type { SegmentPlan } from '../../schemas/segments.js';
import { parseId } from '../../storage/index.js';
import { inBackground, recordStep, throwIfCancelled, type RunContext } from '../context.js';
import { collectGarbage } from '../gc.js';
import { coordinateSegments } from '../segments/coordinator.js';
import { decideSegmentPlan } from '../segments/decide.js';
import { viewSegment } from '../segments/status.js';
import { storePictureLayout } from '../../runs/index.js';
import type { Reused } from '../../schemas/edit.js';
import { beginEditPicture, layoutOf, SourceGoneError, type EditedPicture } from './compose-edit.js';
import {
  audioOutputs,
  deleteSegments,
  fetchSegments,
  storedPosterBytes,
  storedVideo,
  storeVideo,
  videoFacts,
  type VideoFacts,
} from './compose-outputs.js';

/** Share of compose progress spent before the encoding: preparing photos, or (in segments) joining them. */
const PREPARE_SHARE = 0.1;
const STOP_POLL_MS = 250;

/**
 * What this invocation does for the picture: keep the video an earlier attempt
 * stored, draw the whole picture here, or have segments drawn elsewhere and join them.
 */
type ComposeWork =
  | { kind: 'reused'; video: VideoFacts }
  | { kind: 'whole'; workspace: ComposeWorkspace; picture: Promise<string> }
  | { kind: 'segmented'; workspace: ComposeWorkspace; plan: SegmentPlan; segments: Promise<void> }
  | { kind: 'edited'; workspace: ComposeWorkspace; picture: EditedPicture };

interface ComposeJobParts {
  context: RunContext;
  storyboard: Storyboard;
  work: ComposeWork;
  halt: AbortController;
  startedAt: number;
  /** An edit's: how much of the picture was copied from its source. */
  reused?: Reused | undefined;
}

/**
 * A whole render's picture: the photos are prepared two at a time and the
 * frames encoded as soon as each shot's canvas is ready, with progress made of
 * both (preparing is PREPARE_SHARE of it). Resolves to the encoded file.
 */
function renderWholePicture(
  context: RunContext,
  storyboard: Storyboard,
  workspace: ComposeWorkspace,
  halt: AbortSignal,
): Promise<string> {
  let prepared = 0;
  let drawn = 0;
  const report = () =>
    inBackground(context.reporter.progress('compose', PREPARE_SHARE * prepared + (1 - PREPARE_SHARE) * drawn));
  const load = (mediaId: string) => readMediaBytes(context.projectId, parseId(mediaId));
  const shots = workspace.prepareShots(storyboard, load, (fraction) => {
    prepared = fraction;
    report();
  });
  // A shot that cannot be prepared fails the frames waiting for it too: the picture's failure is that one.
  shots.catch(() => undefined);
  const encoded = workspace.renderPicture(storyboard, { from: 0, to: totalFramesOf(storyboard) }, context.ffmpeg, {
    signal: AbortSignal.any([context.signal, halt]),
    onProgress: (fraction) => {
      drawn = fraction;
      report();
    },
  });
  return Promise.all([shots, encoded]).then(([, file]) => file);
}

/** Asks for the segments' invocations and follows them until every segment is stored. */
async function requestSegments(
  context: RunContext & { origin: string },
  plan: SegmentPlan,
  halt: AbortSignal,
): Promise<void> {
  await coordinateSegments({
    projectId: context.projectId,
    runId: context.runId,
    origin: context.origin,
    plan,
    signal: AbortSignal.any([context.signal, halt]),
    onProgress: (fraction) => inBackground(context.reporter.progress('compose', fraction * (1 - PREPARE_SHARE))),
    onRetry: (message) => inBackground(context.reporter.event('compose', 'retrying', message)),
  });
}

/** The picture's work, begun: in segments when a plan says so (it needs an origin), else whole. */
async function beginPicture(context: RunContext, storyboard: Storyboard, halt: AbortSignal): Promise<ComposeWork> {
  const plan = await decideSegmentPlan(context, storyboard);
  const workspace = await ComposeWorkspace.create();
  const { origin } = context;
  if (plan && origin) {
    // Photos the director read (any stored without an analysis) are not drawn here: each segment reads its own.
    clearMediaBytesCache();
    await context.reporter.started(
      'compose',
      `rendering ${plan.segments.length} segments of ${storyboard.resolution} in parallel`,
    );
    const segments = requestSegments({ ...context, origin }, plan, halt);
    // Awaited in finish(); until then a failure must not go unhandled.
    segments.catch(() => undefined);
    context.actions.push(`compose split the picture into ${plan.segments.length} segments`);
    return { kind: 'segmented', workspace, plan, segments };
  }
  await context.reporter.started('compose', `drawing ${storyboard.shots.length} photos at ${storyboard.resolution}`);
  const picture = renderWholePicture(context, storyboard, workspace, halt);
  picture.catch(() => undefined);
  return { kind: 'whole', workspace, picture };
}

/** Each clip shot's own sound: its clip's bytes, and where the shot sits in the timeline and in the clip. */
async function clipSounds(context: RunContext, storyboard: Storyboard): Promise<ClipSound[]> {
  const sounds: ClipSound[] = [];
  for (const shot of storyboard.shots) {
    if (shot.kind !== 'clip') continue;
    const { bytes } = await readMediaBytes(context.projectId, shot.mediaId!);
    sounds.push({ bytes, atSec: shot.startSec, durationSec: shot.durationSec, clipStartSec: shot.clipStartSec ?? 0 });
  }
  return sounds;
}

/**
 * An edit's picture: its unchanged stretches copied from the source, the rest
 * drawn; in full (and said so) when the source's picture is gone.
 */
async function beginEdit(
  context: RunContext,
  storyboard: Storyboard,
  halt: AbortSignal,
): Promise<{ work: ComposeWork; reused: Reused }> {
  const of = totalFramesOf(storyboard);
  const workspace = await ComposeWorkspace.create();
  const signal = AbortSignal.any([context.signal, halt]);
  let picture: EditedPicture | null;
  try {
    picture = await beginEditPicture({ context, storyboard, workspace, signal });
  } catch (error) {
    await workspace.dispose();
    if (!(error instanceof SourceGoneError)) throw error;
    await context.reporter.event('compose', 'fallback', `${error.message}; rendering the whole video`);
    context.actions.push('compose rendered an edit in full: its source is gone');
    return { work: await beginPicture(context, storyboard, halt), reused: { frames: 0, of, fallback: error.message } };
  }
  if (picture) return { work: { kind: 'edited', workspace, picture }, reused: picture.reused };
  // Nothing of the source is left as it was: fetching it would only cost time.
  await workspace.dispose();
  return { work: await beginPicture(context, storyboard, halt), reused: { frames: 0, of } };
}

/**
 * compose: started as soon as the storyboard exists. The picture needs no
 * sound, so it is drawn at once while voice and music are made: here (a whole
 * render prepares the photos and encodes the frames shot by shot as each is
 * ready), or across invocations (a segmented render asks for its segments).
 * `finish` mixes the soundtrack once the audio is ready and joins the picture
 * under it by stream copy. Either way final.mp4 and a poster are stored; a
 * video stored by an earlier attempt is kept.
 */
export class ComposeJob {
  private constructor(private readonly parts: ComposeJobParts) {}

  static async start(context: RunContext, storyboard: Storyboard): Promise<ComposeJob> {
    const halt = new AbortController();
    const startedAt = Date.now();
    const stored = await storedVideo(context);
    if (stored)
      return new ComposeJob({ context, storyboard, work: { kind: 'reused', video: stored }, halt, startedAt });
    if (!context.state.request.editOf) {
      const work = await beginPicture(context, storyboard, halt.signal);
      return new ComposeJob({ context, storyboard, work, halt, startedAt });
    }
    const { work, reused } = await beginEdit(context, storyboard, halt.signal);
    return new ComposeJob({ context, storyboard, work, halt, startedAt, reused });
  }

  async finish(voice: Uint8Array | null, music: Uint8Array): Promise<CompleteOutputs> {
    const { context, storyboard, work } = this.parts;
    let video: VideoFacts;
    let posterBytes: number;
    if (work.kind === 'reused') {
      await context.reporter.reused('compose', 'video from an earlier attempt');
      video = work.video;
      posterBytes = await storedPosterBytes(context.runId);
    } else {
      ({ video, posterBytes } = await this.render(work, { voice, music }));
    }
    return { video, ...audioOutputs(context, storyboard, { voice, music }), poster: { bytes: posterBytes } };
  }

  /** Mixes the soundtrack, joins the picture under it, stores the video and poster, and records the step. */
  private async render(
    work: Exclude<ComposeWork, { kind: 'reused' }>,
    audio: { voice: Uint8Array | null; music: Uint8Array },
  ): Promise<{ video: VideoFacts; posterBytes: number }> {
    const { context, storyboard } = this.parts;
    const { workspace } = work;
    // What voice and music left behind goes before the soundtrack needs the room.
    collectGarbage();
    // The soundtrack is made while the picture is still being drawn (here, or by the segments' invocations).
    const soundtrackStarted = Date.now();
    const clips = await clipSounds(context, storyboard);
    const soundtrack =
      work.kind === 'edited' && work.picture.soundCopied
        ? null
        : await workspace.soundtrack(storyboard, { ...audio, clips }, context.ffmpeg, context.signal);
    // Where a render's time goes (npm run bench deploy projects a segmented render's critical path from these).
    log.info('soundtrack made', { ms: Date.now() - soundtrackStarted });
    collectGarbage();
    const pictures = await this.pictures(work);
    throwIfCancelled(context);
    const joinStarted = Date.now();
    const rendered = await workspace.join(storyboard, soundtrack, pictures, context.ffmpeg, { signal: context.signal });
    log.info('picture joined', { ms: Date.now() - joinStarted, pieces: pictures.length });
    throwIfCancelled(context);
    const reused = this.parts.reused;
    const video = { ...videoFacts(rendered), ...(reused ? { reused } : {}) };
    // Before the video: a complete run always has the layout an edit of it reads.
    await storePictureLayout(context.projectId, context.runId, layoutOf(storyboard));
    await storeVideo(context, rendered, video);
    if (work.kind === 'segmented') await deleteSegments(context.runId, work.plan);
    context.actions.push(`compose rendered ${video.durationSec} s ${video.width}x${video.height}`);
    await context.reporter.completed(
      'compose',
      `${video.durationSec} s, ${video.width}×${video.height}, ${(video.bytes / 1e6).toFixed(1)} MB`,
      {
        segments: work.kind === 'segmented' ? work.plan.segments.length : 1,
      },
    );
    await recordStep(context, 'compose', this.parts.startedAt, 'ffmpeg');
    return { video, posterBytes: rendered.poster.byteLength };
  }

  /** The picture's files in timeline order, once drawn (here, by the segments, or partly copied from an edit's source). */
  private async pictures(work: Exclude<ComposeWork, { kind: 'reused' }>): Promise<string[]> {
    if (work.kind === 'whole') return [await work.picture];
    if (work.kind === 'edited') return work.picture.pieces;
    await work.segments;
    throwIfCancelled(this.parts.context);
    return fetchSegments(this.parts.context, work.plan, work.workspace.dir);
  }

  /**
   * For a run that ends here without a video (cancelled or failed): stops
   * asking for segments, waits until no segment is still rendering (each
   * watches the run and stops within a second of a cancel), then removes their
   * pictures. Bounded by a lease's lifetime: a segment that died mid-render
   * holds its lease until it lapses.
   */
  async stopSegments(): Promise<void> {
    const { context, work, halt } = this.parts;
    halt.abort(new Error('compose stopped'));
    if (work.kind !== 'segmented') return;
    const deadline = Date.now() + getConfig().SIRTRAV_LEASE_TTL_MS + 5000;
    while (Date.now() < deadline) {
      const views = await Promise.all(
        work.plan.segments.map((range) => viewSegment(context.projectId, context.runId, range.index)),
      );
      if (views.every((view) => !view.live)) break;
      await sleep(STOP_POLL_MS);
    }
    await deleteSegments(context.runId, work.plan);
  }

  async dispose(): Promise<void> {
    const { work, halt } = this.parts;
    halt.abort(new Error('compose ended'));
    if (work.kind === 'reused') return;
    const drawing = work.kind === 'whole' ? work.picture : work.kind === 'edited' ? work.picture.pieces : work.segments;
    await drawing.catch(() => undefined);
    await work.workspace.dispose();
  }
}
