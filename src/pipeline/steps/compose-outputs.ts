import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorFields, log } from '../../log.js';
import { wavDurationSec } from '../../render/sound/wav.js';
import type { CheckedProbe, ComposedVideo } from '../../render/video/workspace.js';
import { videoOutputSchema, type Outputs, type Storyboard, type VideoOutput } from '../../schemas/run.js';
import type { SegmentPlan } from '../../schemas/segments.js';
import { deleteBlob, getBinary, getMetadata, keys, putBinary, putVideo, type Id } from '../../storage/index.js';
import type { RunContext } from '../context.js';
import { PipelineError } from '../errors.js';

export type VideoFacts = VideoOutput;

/** The facts of a stored video this run made (an earlier attempt's), or null: a video stored under the key by anything else is rendered over. */
export async function storedVideo(context: Pick<RunContext, 'projectId' | 'runId'>): Promise<VideoFacts | null> {
  const stored = await getMetadata(keys.video(context.runId));
  if (!stored || stored.runId !== context.runId || stored.projectId !== context.projectId) return null;
  const facts = videoOutputSchema.safeParse(stored);
  return facts.success ? facts.data : null;
}

export const storedPosterBytes = async (runId: Id): Promise<number> =>
  Number((await getMetadata(keys.poster(runId)))?.bytes ?? 0);

/** What the run state records of its voice and music tracks (a video's and a plan's alike). */
export function audioOutputs(
  context: Pick<RunContext, 'providers'>,
  storyboard: Storyboard,
  audio: { voice: Uint8Array | null; music: Uint8Array },
): Pick<Outputs, 'voice' | 'music'> {
  const { voice, music } = audio;
  return {
    voice: voice
      ? {
          bytes: voice.byteLength,
          durationSec: Math.round((wavDurationSec(voice) ?? 0) * 100) / 100,
          provider: context.providers.voice ?? 'local',
        }
      : null,
    music: { bytes: music.byteLength, durationSec: storyboard.durationSec, provider: 'local-synth' },
  };
}

/** What the run state records of a rendered video. */
export function videoFacts({ mp4, probe }: { mp4: Buffer; probe: CheckedProbe }): VideoFacts {
  return {
    bytes: mp4.byteLength,
    durationSec: Math.round(probe.durationSec * 1000) / 1000,
    width: probe.video.width,
    height: probe.video.height,
    videoCodec: probe.video.codec,
    audioCodec: probe.audio.codec,
  };
}

/** Fetches the stored segments into `dir`; their files in timeline order. */
export async function fetchSegments(
  context: Pick<RunContext, 'runId'>,
  plan: SegmentPlan,
  dir: string,
): Promise<string[]> {
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
    const file = join(dir, `segment-${range.index}.mp4`);
    await writeFile(file, stored.data);
    files.push(file);
  }
  return files;
}

/** Poster first, then the video; an invocation that lost the run writes nothing (the owner's video is the one that counts). */
export async function storeVideo(context: RunContext, rendered: ComposedVideo, video: VideoFacts): Promise<void> {
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

export async function deleteSegments(runId: Id, plan: SegmentPlan): Promise<void> {
  for (const range of plan.segments) {
    await deleteBlob(keys.segmentVideo(runId, range.index)).catch((error) =>
      log.warn('segment not deleted; repair removes it', { segment: range.index, ...errorFields(error) }),
    );
  }
}
