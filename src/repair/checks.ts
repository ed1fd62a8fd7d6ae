import { deriveIndex } from '../learning/derive.js';
import { maxHistory, memoryIndexDoc, readPendingEntries } from '../learning/memory.js';
import { rebuildHistory } from '../learning/history.js';
import { uploadSessionDoc } from '../media/upload-session.js';
import {
  failUnreadableRun,
  markActive,
  readActiveMarker,
  readArchive,
  readRunState,
  runStateDoc,
} from '../runs/index.js';
import { keysUnder } from '../retention/walk.js';
import { appendProgress, progressLogDoc } from '../progress/event-log.js';
import type { HistoryEntry } from '../schemas/memory.js';
import type { RunState } from '../schemas/run.js';
import {
  CorruptBlobError,
  deleteKey,
  getMetadataByKey,
  importInProgress,
  isId,
  isSupersededPiece,
  keys,
  readJSON,
  runOfKey,
  videoIsStored,
  writeJSON,
  type Id,
  type StoreId,
} from '../storage/index.js';
import type { RepairCounts } from './report.js';

/** What a check may do: count what it found, and (unless a dry run) fix it. */
export interface CheckContext {
  dryRun: boolean;
  now: number;
  found: RepairCounts;
  repaired: RepairCounts;
  note(kind: keyof RepairCounts, key: string): void;
}

/** A run's status from state.json metadata; 'gone' when there is no state.json. */
async function runStatus(projectId: Id, runId: Id): Promise<string | 'gone' | null> {
  const metadata = await getMetadataByKey('runs', keys.runState(projectId, runId).key);
  if (!metadata) return 'gone';
  return typeof metadata.status === 'string' ? metadata.status : null;
}

async function fix(
  context: CheckContext,
  kind: keyof RepairCounts,
  key: string,
  action: () => Promise<unknown>,
): Promise<void> {
  context.found[kind]++;
  context.note(kind, key);
  if (context.dryRun) return;
  await action();
  context.repaired[kind]++;
}

const removeKey = (store: StoreId, key: string) => () => deleteKey(store, key);

/** A video, piece or poster whose run does not exist (nor its archive record), or ended without completing; a segment of an ended run; a piece a newer write superseded. */
export async function checkVideoKey(key: string, context: CheckContext): Promise<void> {
  const [runId] = key.split('/');
  const metadata = await getMetadataByKey('videos', key);
  const projectId = metadata?.projectId;
  if (!isId(runId) || !isId(projectId) || (await importInProgress(projectId))) return;
  const status = await runStatus(projectId, runId);
  if (status === null || status === 'queued' || status === 'running') return;
  // A segment of a segmented render is joined into final.mp4 and removed; one left behind by an ended run is an orphan.
  if (key.includes('/segments/'))
    return fix(context, 'orphanVideos', `sirtrav-videos/${key}`, removeKey('videos', key));
  const kept =
    status === 'complete' || (status === 'gone' && (await readArchive(projectId, runId))?.status === 'complete');
  // A kept video's pieces stay, except those of an earlier write that its index no longer names.
  if (kept && !(await isSupersededPiece({ runId, key, metadata: metadata ?? {}, now: context.now }))) return;
  await fix(context, 'orphanVideos', `sirtrav-videos/${key}`, removeKey('videos', key));
}

/** A progress log or audio file whose run has no state (its documents are gone). */
export async function checkRunScopedKey(
  store: 'progress' | 'audio',
  key: string,
  context: CheckContext,
): Promise<void> {
  const run = runOfKey(key);
  if (!run || (await importInProgress(run.projectId))) return;
  if ((await runStatus(run.projectId, run.runId)) !== 'gone') return;
  await fix(context, store === 'progress' ? 'orphanProgress' : 'orphanAudio', `${store}/${key}`, removeKey(store, key));
}

/**
 * One run folder in sirtrav-runs: documents (a lease, a storyboard) with no
 * state.json; a complete run whose video is missing (it is marked failed, so
 * nobody is sent to a video that is not there); a live run missing from the
 * index of active runs.
 */
export async function checkRunFolder(prefix: string, context: CheckContext): Promise<void> {
  const run = runOfKey(prefix);
  if (!run || (await importInProgress(run.projectId))) return;
  const { projectId, runId } = run;
  const documents: string[] = [];
  for await (const key of keysUnder('runs', prefix)) documents.push(key);
  const stateKey = keys.runState(projectId, runId).key;
  if (documents.length === 0) return;
  if (!documents.includes(stateKey)) {
    for (const key of documents)
      await fix(
        context,
        key.endsWith('/lease.json') ? 'orphanLeases' : 'orphanRunDocuments',
        `sirtrav-runs/${key}`,
        removeKey('runs', key),
      );
    return;
  }
  const state = await readRunState(projectId, runId).catch((error: unknown) => {
    if (!(error instanceof CorruptBlobError)) throw error;
    return 'unreadable' as const;
  });
  if (state === 'unreadable')
    return fix(context, 'unreadableRunStates', `sirtrav-runs/${stateKey}`, () => endUnreadableRun(projectId, runId));
  if (!state) return;
  // A plan (planOnly) completes without a video.
  if (state.status === 'complete' && !state.outputs.plan && !(await videoIsStored(runId))) {
    await fix(context, 'missingOutputs', `sirtrav-runs/${stateKey}`, () => markOutputMissing(state));
  }
  if ((state.status === 'queued' || state.status === 'running') && !(await readActiveMarker(projectId, runId))) {
    await fix(context, 'missingActiveMarkers', keys.activeRun(projectId, runId).key, () =>
      markActive(projectId, runId),
    );
  }
}

/** Failed with `state_unreadable` (lostRun), its progress log ended; the watchdog settles the rest while its marker is there. */
async function endUnreadableRun(projectId: Id, runId: Id): Promise<void> {
  const state = await failUnreadableRun(projectId, runId);
  await endProgressOf(state);
}

/** The terminal event of an ended run (a closed log ignores a second one). */
async function endProgressOf(state: RunState): Promise<void> {
  if (state.status !== 'complete' && state.status !== 'failed' && state.status !== 'cancelled') return;
  const message =
    state.status === 'failed'
      ? state.error.message
      : state.status === 'complete'
        ? `${state.outputs.plan ? 'plan' : 'video'} ready`
        : 'run cancelled';
  await appendProgress(state.projectId, state.runId, {
    agent: 'pipeline',
    status: state.status,
    progress: state.status === 'complete' ? 1 : state.progress,
    message,
  });
}

/**
 * A progress log that cannot be read: rebuilt (its earlier events are lost; see
 * appendProgress) and, when its run has ended, given its terminal event, so a
 * reader is never answered an error for it again.
 */
export async function checkProgressLog(key: string, context: CheckContext): Promise<void> {
  const run = runOfKey(key);
  if (!run || !key.endsWith('/progress.json')) return checkRunScopedKey('progress', key, context);
  if ((await runStatus(run.projectId, run.runId)) === 'gone') return checkRunScopedKey('progress', key, context);
  const readable = await readJSON(keys.progress(run.projectId, run.runId), progressLogDoc).then(
    () => true,
    (error: unknown) => {
      if (error instanceof CorruptBlobError) return false;
      throw error;
    },
  );
  if (readable) return;
  await fix(context, 'unreadableProgressLogs', `sirtrav-progress/${key}`, async () => {
    await appendProgress(run.projectId, run.runId);
    const state = await readRunState(run.projectId, run.runId);
    if (state) await endProgressOf(state);
  });
}

/** A terminal state normally never changes; a complete run without its video is the one exception, and says so. */
async function markOutputMissing(state: Extract<RunState, { status: 'complete' }>): Promise<void> {
  const { outputs: _outputs, ...rest } = state;
  const failed: RunState = {
    ...rest,
    status: 'failed',
    error: {
      code: 'output_missing',
      message: 'The video of this run is no longer stored; start the run again.',
      retryable: true,
      errorClass: 'resource',
      severity: 'high',
      step: 'compose',
    },
    updatedAt: new Date().toISOString(),
  };
  await writeJSON(keys.runState(state.projectId, state.runId), runStateDoc, failed, { createdAt: state.createdAt });
}

/** The ratings an index (with its pending entries folded in) holds, by run. */
function ratingsOf(history: HistoryEntry[], pending: HistoryEntry[]): Map<string, string | null> {
  const ratings = new Map(history.map((entry) => [entry.runId, entry.rating] as const));
  for (const entry of pending)
    if (entry.rating !== null || !ratings.has(entry.runId)) ratings.set(entry.runId, entry.rating);
  return ratings;
}

/** A project's memory index whose ratings disagree with its evaluations (the source of truth): rebuilt from them. */
export async function checkMemoryIndex(projectFolder: string, context: CheckContext): Promise<void> {
  const projectId = projectFolder.split('/')[1];
  if (!isId(projectId) || (await importInProgress(projectId))) return;
  const stored = await readJSON(keys.memoryIndex(projectId), memoryIndexDoc).catch(() => null);
  const rebuilt = deriveIndex(await rebuildHistory(projectId), maxHistory());
  const have = ratingsOf(stored?.value.video_history ?? [], await readPendingEntries(projectId));
  const disagrees =
    !stored ||
    rebuilt.video_history.some((entry) => (have.get(entry.runId) ?? null) !== entry.rating) ||
    [...have].some(
      ([runId, rating]) =>
        rating !== null && !rebuilt.video_history.some((entry) => entry.runId === runId && entry.rating === rating),
    );
  if (!disagrees) return;
  await fix(context, 'memoryIndexMismatches', `sirtrav-evals/${keys.memoryIndex(projectId).key}`, () =>
    writeJSON(keys.memoryIndex(projectId), memoryIndexDoc, rebuilt),
  );
}

/** A chunked upload never completed past its expiry, parts with no session, or parts left by a completed upload. */
export async function checkUploadFolder(prefix: string, context: CheckContext): Promise<void> {
  const parts: string[] = [];
  let sessionKey: string | null = null;
  for await (const key of keysUnder('media', prefix)) {
    if (key.endsWith('/session.json')) sessionKey = key;
    else parts.push(key);
  }
  if (!sessionKey) {
    if (parts.length > 0)
      await fix(context, 'staleUploads', `sirtrav-media/${prefix}`, async () =>
        Promise.all(parts.map((key) => deleteKey('media', key))),
      );
    return;
  }
  const [, projectId, , uploadId] = prefix.split('/');
  if (!isId(projectId) || !isId(uploadId)) return;
  const session = (await readJSON(keys.uploadSession(projectId, uploadId), uploadSessionDoc))?.value;
  if (!session) return;
  if (session.mediaId) {
    if (parts.length > 0)
      await fix(context, 'staleUploads', `sirtrav-media/${prefix}`, async () =>
        Promise.all(parts.map((key) => deleteKey('media', key))),
      );
    return;
  }
  if (Date.parse(session.expiresAt) < context.now) {
    await fix(context, 'staleUploads', `sirtrav-media/${prefix}`, async () =>
      Promise.all([...parts, sessionKey!].map((key) => deleteKey('media', key))),
    );
  }
}
