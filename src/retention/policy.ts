import { getConfig, type Config } from '../config.js';

const DAY_MS = 86_400_000;

/**
 * How long each kind of blob is kept (API.md's storage table). Ages come from
 * blob metadata: `updatedAt` for documents, `uploadedAt`/last use for photos.
 */
export interface RetentionPolicy {
  /** SSE events (`sirtrav-progress`), counted from the log's last change. */
  progressMs: number;
  /** A finished run's documents (`sirtrav-runs`) and its audio (`sirtrav-audio`), from its last change; archived first. */
  runMs: number;
  /** Photos (`sirtrav-media`), from their upload or their last use by a run, whichever is later. */
  mediaMs: number;
  /** Chunked uploads never completed (and completed sessions), from their start. */
  uploadMs: number;
  /** Never deleted: final videos and posters, evaluations and memory indexes. */
  permanent: readonly ['sirtrav-videos', 'sirtrav-evals'];
}

export function retentionPolicy(config: Config = getConfig()): RetentionPolicy {
  return {
    progressMs: config.SIRTRAV_RETAIN_PROGRESS_DAYS * DAY_MS,
    runMs: config.SIRTRAV_RETAIN_RUNS_DAYS * DAY_MS,
    mediaMs: config.SIRTRAV_RETAIN_MEDIA_DAYS * DAY_MS,
    uploadMs: config.SIRTRAV_RETAIN_UPLOADS_DAYS * DAY_MS,
    permanent: ['sirtrav-videos', 'sirtrav-evals'],
  };
}

/** The policy as days, for reports. */
export function describePolicy(policy: RetentionPolicy): Record<string, number | string> {
  return {
    progressDays: policy.progressMs / DAY_MS,
    runDays: policy.runMs / DAY_MS,
    mediaDays: policy.mediaMs / DAY_MS,
    uploadDays: policy.uploadMs / DAY_MS,
    audio: 'with its run',
    shares: 'until they expire (at most 90 days)',
    videos: 'permanent',
    evaluations: 'permanent',
  };
}
