import type { Media } from '../../../src/schemas/media.js';
import type { ProgressEvent } from '../../../src/schemas/progress.js';
import type { RunState, StartRunBody } from '../../../src/schemas/run.js';
import type { ProjectClient } from './client.js';
import { RunFailedError } from './errors.js';

/** A photo to upload: its bytes, with a file name if you have one (it is kept with the photo). */
export type PhotoInput = Uint8Array | { bytes: Uint8Array; filename?: string };

export interface ProjectRunOptions {
  /** Uploaded first (the same bytes again are not stored twice); the run uses these. None: every photo of the project. */
  photos: readonly PhotoInput[];
  /** How to make the video; `mediaIds` is set from `photos` when photos are given. */
  options?: StartRunBody;
  /** Each progress event, once and in order. */
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting cancels the run (once started) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Sent with the start, so a repeated call starts the run once. */
  idempotencyKey?: string;
}

export type CompleteRun = Extract<RunState, { status: 'complete' }>;

export interface FinishedRun {
  run: CompleteRun;
  /** The photos uploaded, in the order given. */
  media: Media[];
  /**
   * The MP4, fetched range by range as it is read: nothing is fetched until
   * then. `await new Response(video).bytes()` gives it whole; in Node,
   * `Readable.fromWeb(video).pipe(createWriteStream(path))` writes a file of any size.
   */
  video: ReadableStream<Uint8Array>;
}

/** A plan made with `ProjectClient.plan`: the storyboard, narration and soundtrack the video would have, and no video. */
export interface PlannedRun {
  run: CompleteRun;
  /** The photos uploaded, in the order given. */
  media: Media[];
}

/** Photos uploaded at once; a large one is also sent three parts at a time. */
const PHOTO_CONCURRENCY = 2;

/** `ProjectClient.run`: photos in, video out. */
export async function runToVideo(project: ProjectClient, options: ProjectRunOptions): Promise<FinishedRun> {
  if (options.options?.planOnly)
    throw new TypeError('run() makes a video; a plan (planOnly) has none: use plan() for it.');
  const { run, media } = await runToEnd(project, options);
  const { signal } = options;
  return { run, media, video: project.streamVideo(run.runId, signal ? { signal } : {}) };
}

/** `ProjectClient.plan`: photos in, the plan out (director, voice and music; no frame encoded). */
export async function runToPlan(project: ProjectClient, options: ProjectRunOptions): Promise<PlannedRun> {
  return runToEnd(project, { ...options, options: { ...options.options, planOnly: true } });
}

/** Uploads the photos, starts the run and follows it to a complete end. */
async function runToEnd(project: ProjectClient, options: ProjectRunOptions): Promise<PlannedRun> {
  const { signal } = options;
  const media = await uploadAll(project, options.photos, signal);
  signal?.throwIfAborted();
  const mediaIds = [...new Set(media.map((item) => item.mediaId))];
  const body: StartRunBody = { ...options.options, ...(mediaIds.length > 0 ? { mediaIds } : {}) };
  const { runId } = await project.startRun(
    body,
    options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {},
  );
  let final: RunState;
  try {
    final = await project.follow(runId, {
      onEvent: options.onProgress ?? (() => undefined),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    // The caller gave up on this run: nobody will collect its video, so stop its work.
    if (signal?.aborted) await project.cancelRun(runId).catch(() => undefined);
    throw error;
  }
  if (final.status === 'failed' || final.status === 'cancelled') throw new RunFailedError(final);
  if (final.status !== 'complete') throw new Error(`Run ${runId} ended as ${final.status}.`);
  return { run: final, media };
}

async function uploadAll(
  project: ProjectClient,
  photos: readonly PhotoInput[],
  signal: AbortSignal | undefined,
): Promise<Media[]> {
  const media: Media[] = new Array<Media>(photos.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < photos.length; index = next++) {
      signal?.throwIfAborted();
      const photo = photos[index]!;
      media[index] =
        photo instanceof Uint8Array
          ? await project.uploadPhoto(photo)
          : await project.uploadPhoto(photo.bytes, photo.filename);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PHOTO_CONCURRENCY, photos.length) }, worker));
  return media;
}
