import { AppError } from '../errors.js';
import { ID_CHARS } from '../schemas/common.js';
import { ID_PATTERN, isId, type Id } from './ids.js';
import { STORE_LIMITS, type StoreId } from './stores.js';

/** Where one blob lives, and the most bytes it may hold. */
export interface BlobRef {
  readonly store: StoreId;
  readonly key: string;
  readonly maxBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

function ref(store: StoreId, key: string, maxBytes = STORE_LIMITS[store]): BlobRef {
  return { store, key, maxBytes };
}

/** Ids are branded, but keys are the last line of defence: check again, cheaply. */
function id(value: Id): Id {
  if (!ID_PATTERN.test(value)) throw new AppError(400, 'invalid_id', 'An id reached a storage key unvalidated.');
  return value;
}

const project = (p: Id) => `projects/${id(p)}`;

const RUN_PREFIX = new RegExp(`^projects/(${ID_CHARS})/runs/(${ID_CHARS})/`);

/** The project and run a key (or folder prefix) laid out by run belongs to, whatever its store; null for any other key. */
export function runOfKey(key: string): { projectId: Id; runId: Id } | null {
  const match = RUN_PREFIX.exec(key);
  const [projectId, runId] = [match?.[1], match?.[2]];
  return isId(projectId) && isId(runId) ? { projectId, runId } : null;
}
const run = (p: Id, r: Id) => `${project(p)}/runs/${id(r)}`;

/** Key builders, one per kind of blob, from API.md's storage layout. */
export const keys = {
  projectInfo: (p: Id) => ref('runs', `${project(p)}/project.json`, 64 * KiB),
  runState: (p: Id, r: Id) => ref('runs', `${run(p, r)}/state.json`),
  runStoryboard: (p: Id, r: Id) => ref('runs', `${run(p, r)}/storyboard.json`),
  runFailure: (p: Id, r: Id) => ref('runs', `${run(p, r)}/failure.json`),
  failureIndex: (p: Id) => ref('runs', `${project(p)}/failures.json`, 256 * KiB),
  runWebhook: (p: Id, r: Id) => ref('runs', `${run(p, r)}/webhook.json`, 2 * MiB),
  /** When each narration line is heard (written with the voice), for captions timed without decoding audio. */
  runNarration: (p: Id, r: Id) => ref('runs', `${run(p, r)}/narration.json`, 256 * KiB),
  /** How the run's picture is cut into stretches, each keyed by its content, so an edit can copy them (src/edits). */
  runPictureLayout: (p: Id, r: Id) => ref('runs', `${run(p, r)}/picture-layout.json`, 2 * MiB),
  runLease: (p: Id, r: Id) => ref('runs', `${run(p, r)}/lease.json`, 4 * KiB),
  /** A segmented render: its plan, and each segment's lease and status (see src/pipeline/segments). */
  segmentPlan: (p: Id, r: Id) => ref('runs', `${run(p, r)}/segments/plan.json`, 64 * KiB),
  segmentLease: (p: Id, r: Id, n: number) =>
    ref('runs', `${run(p, r)}/segments/${segmentNumber(n)}/lease.json`, 4 * KiB),
  segmentStatus: (p: Id, r: Id, n: number) =>
    ref('runs', `${run(p, r)}/segments/${segmentNumber(n)}/status.json`, 16 * KiB),
  runsPrefix: (p: Id) => `${project(p)}/runs/`,
  runPrefix: (p: Id, r: Id) => `${run(p, r)}/`,
  idempotency: (p: Id, keyHash: string) => ref('runs', `${project(p)}/idempotency/${keyHash}.json`, 4 * KiB),
  archive: (p: Id, r: Id) => ref('runs', `archive/${id(p)}/${id(r)}.json`, 256 * KiB),
  archivePrefix: (p: Id) => `archive/${id(p)}/`,
  /** One small marker per queued or running run: the watchdog lists these instead of every run. */
  activeRun: (p: Id, r: Id) => ref('runs', `active/${id(p)}/${id(r)}.json`, 4 * KiB),
  activePrefix: 'active/',
  /** The project's run slots (see src/runs/slots.ts): outside `projects/`, so never exported with the project. */
  runSlots: (p: Id) => ref('runs', `slots/${id(p)}/runs.json`, 64 * KiB),
  repairCursor: () => ref('runs', 'repair/cursor.json', 64 * KiB),
  cleanupReport: (date: string) => ref('runs', `cleanup/${date}.json`, MiB),
  cleanupCursor: () => ref('runs', 'cleanup/cursor.json', 64 * KiB),
  healthProbe: () => ref('runs', 'health/probe.json', KiB),
  exportJob: (p: Id, x: Id) => ref('runs', `exports/${id(p)}/${id(x)}.json`),
  exportsPrefix: (p: Id) => `exports/${id(p)}/`,
  importSession: (i: Id) => ref('runs', `imports/${id(i)}/session.json`),
  importPart: (i: Id, n: number) => ref('runs', `imports/${id(i)}/parts/${partNumber(n)}`, 4 * MiB),
  importPrefix: (i: Id) => `imports/${id(i)}/`,
  /** Present while an import is being written into the project: the project is not whole yet. */
  importMarker: (p: Id) => ref('runs', `${project(p)}/import.json`, 64 * KiB),
  /** Operations: hourly metric buckets, the cross-project failure index, the webhook outbox. */
  metricsHour: (hour: string) => ref('runs', `ops/metrics/${hourKey(hour)}.json`, 2 * MiB),
  metricsPrefix: () => 'ops/metrics/',
  failureShard: (n: number) => ref('runs', `ops/failures/shard-${shardNumber(n)}.json`, 8 * MiB),
  webhookDelivery: (r: Id) => ref('runs', `ops/webhooks/pending/${id(r)}.json`, 2 * MiB),
  webhookPendingPrefix: () => 'ops/webhooks/pending/',
  webhookSecret: (p: Id) => ref('runs', `${project(p)}/webhook-secret.json`, KiB),
  rendererReport: () => ref('runs', 'health/renderer.json', KiB),
  /** A public share of a run's video, found by its id alone (src/shares); outside `projects/`, so never exported. */
  share: (s: Id) => ref('runs', `shares/${id(s)}.json`, 4 * KiB),
  /** One marker per share of a run, so a run's shares are listed without reading every share. */
  runShare: (p: Id, r: Id, s: Id) => ref('runs', `run-shares/${id(p)}/${id(r)}/${id(s)}.json`, KiB),
  runSharesPrefix: (p: Id, r: Id) => `run-shares/${id(p)}/${id(r)}/`,
  allRunSharesPrefix: () => 'run-shares/',

  progress: (p: Id, r: Id) => ref('progress', `${run(p, r)}/progress.json`),

  media: (p: Id, m: Id) => ref('media', `${project(p)}/media/${id(m)}`),
  mediaPrefix: (p: Id) => `${project(p)}/media/`,
  mediaUsage: (p: Id) => ref('media', `${project(p)}/media_usage.json`, MiB),
  /** The ids counted against the photo cap (see src/media/cap.ts). */
  mediaSlots: (p: Id) => ref('media', `${project(p)}/media_slots.json`, 8 * MiB),
  uploadSession: (p: Id, u: Id) => ref('media', `${project(p)}/uploads/${id(u)}/session.json`, 64 * KiB),
  uploadPart: (p: Id, u: Id, n: number) => ref('media', `${project(p)}/uploads/${id(u)}/parts/${partNumber(n)}`),
  uploadPrefix: (p: Id, u: Id) => `${project(p)}/uploads/${id(u)}/`,

  voice: (p: Id, r: Id, ext: string) => ref('audio', `${run(p, r)}/voice.${extension(ext)}`),
  music: (p: Id, r: Id, ext: string) => ref('audio', `${run(p, r)}/music.${extension(ext)}`),

  /** The video, or (src/storage/chunked.ts) the index of its pieces. */
  video: (r: Id) => ref('videos', `${id(r)}/final.mp4`),
  /**
   * One piece of a video stored in pieces, under the generation (a prefix of the
   * video's SHA-256) its index names. "final-pieces/" sorts before "final.mp4", so
   * a copy made in key order (export, import) writes the pieces before their index.
   */
  videoPiece: (r: Id, generation: string, n: number) =>
    ref('videos', `${videoPiecesPrefix(r)}${generationOf(generation)}/${partNumber(n)}`, 16 * MiB),
  videoPiecesPrefix: (r: Id) => videoPiecesPrefix(r),
  /** A segment's picture (H.264, no audio) until the join; removed with the run. */
  segmentVideo: (r: Id, n: number) => ref('videos', `${id(r)}/segments/${segmentNumber(n)}.mp4`),
  segmentVideosPrefix: (r: Id) => `${id(r)}/segments/`,
  poster: (r: Id) => ref('videos', `${id(r)}/poster.jpg`, 5 * MiB),

  evaluation: (r: Id) => ref('evals', `${id(r)}/evaluation.json`, KiB),
  memoryIndex: (p: Id) => ref('evals', `${project(p)}/memory_index.json`, 4 * MiB),
  memoryPending: (p: Id) => ref('evals', `${project(p)}/memory_pending.json`, 512 * KiB),
  memoryBackup: (p: Id, slot: number) => ref('evals', `${project(p)}/memory_index.backup-${slot}.json`, 4 * MiB),
} as const;

const videoPiecesPrefix = (r: Id) => `${id(r)}/final-pieces/`;

function generationOf(generation: string): string {
  if (!/^[0-9a-f]{16}$/.test(generation))
    throw new AppError(500, 'invalid_generation', `"${generation.slice(0, 20)}" is not a video generation.`);
  return generation;
}

function hourKey(hour: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour))
    throw new AppError(500, 'invalid_hour', `"${hour.slice(0, 20)}" is not an hour like 2026-01-31T23.`);
  return hour;
}

function shardNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 255)
    throw new AppError(500, 'invalid_shard', `Shard ${n} must be an integer from 0 to 255.`);
  return String(n).padStart(3, '0');
}

function segmentNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 63)
    throw new AppError(500, 'invalid_segment', `Segment ${n} must be an integer from 0 to 63.`);
  return String(n).padStart(2, '0');
}

function partNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999)
    throw new AppError(400, 'invalid_part', `Part number ${n} must be an integer from 0 to 9999.`);
  return String(n).padStart(4, '0');
}

function extension(ext: string): string {
  if (!/^[a-z0-9]{1,5}$/.test(ext))
    throw new AppError(500, 'invalid_extension', `File extension "${ext}" is not allowed in a key.`);
  return ext;
}
