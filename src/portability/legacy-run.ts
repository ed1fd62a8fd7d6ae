import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { findFfmpeg } from '../media/find-ffmpeg.js';
import { probeMedia } from '../render/ffmpeg.js';
import { newRun, toCancelled, toComplete, toFailed, toRunning } from '../runs/index.js';
import { legacyTime, type LegacyState } from '../schemas/legacy.js';
import type { RunState, Storyboard } from '../schemas/run.js';
import type { Id } from '../storage/index.js';

export interface VideoFacts {
  bytes: number;
  durationSec: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string;
}

/** Streams and duration of a legacy video, by ffmpeg; null when it is not a playable video. */
export async function probeVideo(bytes: Uint8Array): Promise<VideoFacts | null> {
  const ffmpeg = await findFfmpeg();
  if (!ffmpeg) throw new AppError(503, 'ffmpeg_missing', 'ffmpeg is needed to check legacy videos; set FFMPEG_PATH.');
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-legacy-'));
  try {
    await writeFile(join(dir, 'video.mp4'), bytes);
    const probed = await probeMedia(ffmpeg.path, join(dir, 'video.mp4'));
    if (!probed.video || probed.durationSec <= 0) return null;
    return {
      bytes: bytes.byteLength,
      durationSec: probed.durationSec,
      width: probed.video.width,
      height: probed.video.height,
      videoCodec: probed.video.codec,
      audioCodec: probed.audio?.codec ?? 'none',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A legacy run in today's shape, through the run transitions. A complete run
 * needs its video and a storyboard: the storyboard is rebuilt from the legacy
 * facts, one shot per photo of the run (or of the import) over the video.
 */
export function convertState(
  legacy: LegacyState,
  projectId: Id,
  runId: Id,
  mediaIds: Id[],
  video: VideoFacts | undefined,
  allPhotos: Id[],
): RunState {
  const createdAt = legacyTime(legacy.createdAt, new Date(0).toISOString());
  const request = {
    ...(legacy.theme ? { theme: legacy.theme.slice(0, 200) } : {}),
    ...(legacy.mood ? { mood: legacy.mood.slice(0, 32) } : {}),
    ...(legacy.musicStyle ? { musicStyle: legacy.musicStyle.slice(0, 32) } : {}),
  };
  const running = {
    ...toRunning(newRun({ projectId, runId, request, mediaIds, now: new Date(createdAt) })),
    updatedAt: legacyTime(legacy.updatedAt, createdAt),
  };
  const failed = (code: string, message: string) => toFailed(running, { code, message, retryable: false });
  const status = (legacy.status ?? '').toLowerCase();
  if (['complete', 'completed', 'done', 'success'].includes(status)) {
    if (!video)
      return failed('legacy_video_missing', 'The original app marked this run complete, but its video was not found.');
    const photos = mediaIds.length > 0 ? mediaIds : allPhotos;
    if (photos.length === 0)
      return failed(
        'legacy_photos_missing',
        'The original app marked this run complete, but none of its photos were found.',
      );
    const shotSec = video.durationSec / photos.length;
    const storyboard: Storyboard = {
      theme: legacy.theme ?? '',
      mood: legacy.mood ?? 'unknown',
      musicStyle: legacy.musicStyle ?? 'unknown',
      durationSec: video.durationSec,
      resolution: video.height <= 360 ? '360p' : video.height <= 720 ? '720p' : '1080p',
      aspect: '16:9',
      width: video.width,
      height: video.height,
      transition: 'crossfade',
      title: null,
      curation: { skipped: [] },
      shots: photos.map((mediaId, i) => ({
        kind: 'photo' as const,
        mediaId,
        startSec: i * shotSec,
        durationSec: shotSec,
        motion: 'zoom-in' as const,
        scene: 0,
        caption: null,
        place: null,
        framing: 'crop' as const,
        focus: null,
      })),
      scenes: [{ index: 0, startedAt: null, place: null, shotCount: photos.length }],
      narration: { enabled: false, script: '' },
      tempoBpm: 90,
      choice: { source: 'default', reason: 'rebuilt from a run of the original app' },
      provider: 'legacy',
    };
    return toComplete(running, storyboard, { video });
  }
  if (['cancelled', 'canceled'].includes(status)) return toCancelled(running);
  if (['failed', 'error'].includes(status)) return failed('legacy_failed', 'The run failed in the original app.');
  return failed(
    'legacy_interrupted',
    `The run was ${status || 'unfinished'} when the original app stopped; it never finished.`,
  );
}
