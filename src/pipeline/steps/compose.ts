import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getConfig } from '../../config.js';
import { errorFields, log } from '../../log.js';
import { clearMediaBytesCache } from '../../media/bytes-cache.js';
import { readMediaBytes } from '../../media/library.js';
import type { CompleteOutputs, Storyboard } from '../../schemas/run.js';
import type { SegmentPlan } from '../../schemas/segments.js';
import { deleteBlob, getBinary, getMetadata, keys, parseId, putBinary, putVideo, writeJSON } from '../../storage/index.js';
import { fpsOf, totalFramesOf } from '../../render/graph.js';
import { ComposeWorkspace, type ComposedVideo } from '../../render/video/workspace.js';
import { wavDurationSec } from '../../render/sound/wav.js';
import { PipelineError } from '../errors.js';
import { collectGarbage } from '../gc.js';
import { coordinateSegments } from '../segments/coordinator.js';
import { planSegments, segmentCount } from '../segments/plan.js';
import { readSegmentPlan, segmentPlanDoc, viewSegment } from '../segments/status.js';
import { inBackground, recordStep, throwIfCancelled, type RunContext } from '../steps.js';

type VideoFacts = { bytes: number; durationSec: number; width: number; height: number; videoCodec: string; audioCodec: string };

/** Share of compose progress spent before the encoding: preparing photos, or (in segments) joining them. */
const PREPARE_SHARE = 0.1;
const STOP_POLL_MS = 250;

/**
 * How the run's picture is split, decided once: a stored plan (an earlier
 * invocation's) wins, so every segment and every resumed coordinator agree.
 * Null when the render stays whole.
 */
async function decidePlan(context: RunContext, storyboard: Storyboard): Promise<SegmentPlan | null> {
  const stored = await readSegmentPlan(context.projectId, context.runId);
  if (stored) return stored;
  const config = getConfig();
  if (!context.origin) return null;
  const count = segmentCount(storyboard, { max: config.SIRTRAV_SEGMENTS_MAX, secondsPerSegment: config.SIRTRAV_SEGMENT_SECONDS });
  if (count < 2) return null;
  const segments = planSegments(storyboard, count, fpsOf(storyboard));
  if (segments.length < 2) return null;
  const plan: SegmentPlan = {
    totalFrames: totalFramesOf(storyboard),
    fps: fpsOf(storyboard),
    width: storyboard.width,
    height: storyboard.height,
    segments,
    createdAt: new Date().toISOString(),
  };
  await writeJSON(keys.segmentPlan(context.projectId, context.runId), segmentPlanDoc, plan, { onlyIfNew: true });
  return readSegmentPlan(context.projectId, context.runId);
}

/**
 * A whole render's picture: the photos are prepared two at a time and the
 * frames encoded as soon as each shot's canvas is ready, with progress made of
 * both (preparing is PREPARE_SHARE of it). Resolves to the encoded file.
 */
function renderWholePicture(context: RunContext, storyboard: Storyboard, workspace: ComposeWorkspace, halt: AbortSignal): Promise<string> {
  let prepared = 0;
  let drawn = 0;
  const report = () => inBackground(context.reporter.progress('compose', PREPARE_SHARE * prepared + (1 - PREPARE_SHARE) * drawn));
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
  private constructor(
    private readonly context: RunContext,
    private readonly storyboard: Storyboard,
    private readonly existing: VideoFacts | null,
    private readonly workspace: ComposeWorkspace | null,
    /** The picture encoded here (a whole render), or null once every segment is stored (a segmented render). */
    private readonly picture: Promise<string | null>,
    private readonly plan: SegmentPlan | null,
    private readonly halt: AbortController,
    private readonly startedAt: number,
  ) {}

  static async start(context: RunContext, storyboard: Storyboard): Promise<ComposeJob> {
    const halt = new AbortController();
    const stored = await getMetadata(keys.video(context.runId));
    // Only this run's own video of this project is reused: a video stored under the key by anything else is rendered over.
    if (stored && stored.runId === context.runId && stored.projectId === context.projectId && typeof stored.bytes === 'number') {
      return new ComposeJob(context, storyboard, stored as unknown as VideoFacts, null, Promise.resolve(null), null, halt, Date.now());
    }
    const plan = await decidePlan(context, storyboard);
    const workspace = await ComposeWorkspace.create();
    let picture: Promise<string | null>;
    if (plan) {
      // Photos the director read (any stored without an analysis) are not drawn here: each segment reads its own.
      clearMediaBytesCache();
      await context.reporter.started('compose', `rendering ${plan.segments.length} segments of ${storyboard.resolution} in parallel`);
      picture = coordinateSegments({
        projectId: context.projectId,
        runId: context.runId,
        origin: context.origin!,
        plan,
        signal: AbortSignal.any([context.signal, halt.signal]),
        onProgress: (fraction) => inBackground(context.reporter.progress('compose', fraction * (1 - PREPARE_SHARE))),
        onRetry: (message) => inBackground(context.reporter.event('compose', 'retrying', message)),
      }).then(() => null);
      context.actions.push(`compose split the picture into ${plan.segments.length} segments`);
    } else {
      await context.reporter.started('compose', `drawing ${storyboard.shots.length} photos at ${storyboard.resolution}`);
      picture = renderWholePicture(context, storyboard, workspace, halt.signal);
    }
    // Awaited in finish(); until then a failure must not go unhandled.
    picture.catch(() => undefined);
    return new ComposeJob(context, storyboard, null, workspace, picture, plan, halt, Date.now());
  }

  async finish(voice: Uint8Array | null, music: Uint8Array): Promise<CompleteOutputs> {
    const { context, storyboard } = this;
    let video: VideoFacts;
    let posterBytes: number;
    if (this.existing || !this.workspace) {
      await context.reporter.reused('compose', 'video from an earlier attempt');
      video = this.existing!;
      posterBytes = Number((await getMetadata(keys.poster(context.runId)))?.bytes ?? 0);
    } else {
      // What voice and music left behind goes before the soundtrack needs the room.
      collectGarbage();
      // The soundtrack is made while the picture is still being drawn (here, or by the segments' invocations).
      const soundtrackStarted = Date.now();
      const soundtrack = await this.workspace.soundtrack(storyboard, { music, voice }, context.ffmpeg, context.signal);
      // Where a render's time goes (npm run bench deploy projects a segmented render's critical path from these).
      log.info('soundtrack made', { ms: Date.now() - soundtrackStarted });
      collectGarbage();
      const picture = await this.picture;
      throwIfCancelled(context);
      const joinStarted = Date.now();
      const pictures = picture === null ? await this.fetchSegments(this.workspace, this.plan!) : [picture];
      const rendered = await this.workspace.join(storyboard, soundtrack, pictures, context.ffmpeg, { signal: context.signal });
      log.info('picture joined', { ms: Date.now() - joinStarted, pieces: pictures.length });
      throwIfCancelled(context);
      video = {
        bytes: rendered.mp4.byteLength,
        durationSec: Math.round(rendered.probe.durationSec * 1000) / 1000,
        width: rendered.probe.video!.width,
        height: rendered.probe.video!.height,
        videoCodec: rendered.probe.video!.codec,
        audioCodec: rendered.probe.audio!.codec,
      };
      await this.store(rendered, video);
      posterBytes = rendered.poster.byteLength;
      if (this.plan) await this.deleteSegments();
      context.actions.push(`compose rendered ${video.durationSec} s ${video.width}x${video.height}`);
      await context.reporter.completed('compose', `${video.durationSec} s, ${video.width}×${video.height}, ${(video.bytes / 1e6).toFixed(1)} MB`, {
        segments: this.plan?.segments.length ?? 1,
      });
      await recordStep(context, 'compose', this.startedAt, 'ffmpeg');
    }
    const voiceSec = voice ? wavDurationSec(voice) : null;
    return {
      video,
      voice: voice ? { bytes: voice.byteLength, durationSec: Math.round((voiceSec ?? 0) * 100) / 100, provider: context.providers.voice ?? 'local' } : null,
      music: { bytes: music.byteLength, durationSec: storyboard.durationSec, provider: 'local-synth' },
      poster: { bytes: posterBytes },
    };
  }

  /** Fetches the stored segments into the workspace; their files in timeline order. */
  private async fetchSegments(workspace: ComposeWorkspace, plan: SegmentPlan): Promise<string[]> {
    const { context } = this;
    const files: string[] = [];
    for (const range of plan.segments) {
      const stored = await getBinary(keys.segmentVideo(context.runId, range.index));
      if (!stored)
        throw new PipelineError({
          errorClass: 'internal',
          code: 'segment_missing',
          message: `Segment ${range.index + 1} of ${plan.segments.length} is not stored.`,
          retryable: true,
        });
      files.push(join(workspace.dir, `segment-${range.index}.mp4`));
      await writeFile(files.at(-1)!, stored.data);
    }
    return files;
  }

  /** Poster first, then the video; an invocation that lost the run writes nothing (the owner's video is the one that counts). */
  private async store(rendered: ComposedVideo, video: VideoFacts): Promise<void> {
    const { context } = this;
    const createdAt = new Date().toISOString();
    await context.confirmLease();
    await putBinary(keys.poster(context.runId), new Uint8Array(rendered.poster), {
      contentType: 'image/jpeg',
      runId: context.runId,
      projectId: context.projectId,
      bytes: rendered.poster.byteLength,
      createdAt,
    });
    await putVideo({
      runId: context.runId,
      bytes: new Uint8Array(rendered.mp4),
      metadata: { contentType: 'video/mp4', runId: context.runId, projectId: context.projectId, ...video, createdAt },
    });
  }

  private async deleteSegments(): Promise<void> {
    for (const range of this.plan?.segments ?? []) {
      await deleteBlob(keys.segmentVideo(this.context.runId, range.index)).catch((error) =>
        log.warn('segment not deleted; repair removes it', { segment: range.index, ...errorFields(error) }),
      );
    }
  }

  /**
   * For a run that ends here without a video (cancelled or failed): stops
   * asking for segments, waits until no segment is still rendering (each
   * watches the run and stops within a second of a cancel), then removes their
   * pictures. Bounded by a lease's lifetime: a segment that died mid-render
   * holds its lease until it lapses.
   */
  async stopSegments(): Promise<void> {
    this.halt.abort(new Error('compose stopped'));
    const plan = this.plan;
    if (!plan) return;
    const deadline = Date.now() + getConfig().SIRTRAV_LEASE_TTL_MS + 5000;
    while (Date.now() < deadline) {
      const views = await Promise.all(plan.segments.map((range) => viewSegment(this.context.projectId, this.context.runId, range.index)));
      if (views.every((view) => !view.live)) break;
      await new Promise((resolve) => setTimeout(resolve, STOP_POLL_MS));
    }
    await this.deleteSegments();
  }

  async dispose(): Promise<void> {
    this.halt.abort(new Error('compose ended'));
    await this.picture.catch(() => undefined);
    await this.workspace?.dispose();
  }
}
