export {
  SirTravClient,
  ProjectClient,
  type SirTravClientOptions,
  type CreatedProject,
  type RunLinks,
} from './client.js';
export { run, type RunOptions } from './run.js';
export type { CompleteRun, FinishedRun, PhotoInput, PlannedRun, ProjectRunOptions } from './run-to-video.js';
export {
  followProgress,
  progressUpdates,
  type FollowProgressOptions,
  type ProgressStreamOptions,
  type ProgressUpdate,
} from './follow-progress.js';
export { verifyWebhook, type VerifyWebhookOptions } from './verify-webhook.js';
export { SirTravApiError, ProgressStreamError, RunFailedError, WebhookVerificationError } from './errors.js';
export { RANGE_BYTES } from './ranges.js';
export type { ArchivedRun } from '../../../src/schemas/archive.js';
export type { Health } from '../../../src/schemas/health.js';
export type { Media } from '../../../src/schemas/media.js';
export type { Evaluation, MemoryIndex, Rating } from '../../../src/schemas/memory.js';
export type { ProgressEvent } from '../../../src/schemas/progress.js';
export type { RunError, RunState, RunSummary, StartRunBody } from '../../../src/schemas/run.js';
export type { WebhookEvent, WebhookEventType } from '../../../src/schemas/webhook.js';
