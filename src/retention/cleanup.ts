import { z } from 'zod';
import { cleanupCursorSchema, cleanupReportSchema, PHASES, type CleanupReport } from '../schemas/retention.js';
import { shotMediaIds, type RunStatus } from '../schemas/run.js';
export { type CleanupReport } from '../schemas/retention.js';
import { log } from '../log.js';
import { forgetPhotos } from '../media/cap.js';
import { forgetMediaUse, readMediaUsage } from '../media/usage.js';
import { readRunState } from '../runs/index.js';
import {
  deleteKey,
  defineDocument,
  getMetadataByKey,
  isId,
  keys,
  runOfKey,
  readJSON,
  updateJSON,
  writeJSON,
  deleteBlob,
  importInProgress,
  type Id,
  type StoreId,
} from '../storage/index.js';
import { shareOfMarker } from '../shares/index.js';
import { archiveRun } from './archive.js';
import { describePolicy, retentionPolicy, type RetentionPolicy } from './policy.js';
import { foldersUnder, keysUnder, projectFolders, projectIdOf, runFolders, uploadFolders, walkPhases } from './walk.js';

type Phase = (typeof PHASES)[number];

const cursorDoc = defineDocument({ name: 'cleanup-cursor', version: 1, schema: cleanupCursorSchema });
type Cursor = z.infer<typeof cleanupCursorSchema>;

const counts = () => ({ progress: 0, runs: 0, runDocuments: 0, audio: 0, media: 0, uploads: 0, shares: 0 });

const dailyReportDoc = defineDocument({
  name: 'cleanup-report',
  version: 1,
  schema: z.object({ date: z.string(), invocations: z.array(cleanupReportSchema).max(50) }),
});

export interface CleanupOptions {
  /** The time retention decisions are made for. */
  now: Date;
  dryRun: boolean;
  /** Stop (and save a cursor) once this much wall time is spent; the scheduled function has 30 s in all. */
  budgetMs: number;
}

const MAX_LISTED = 100;
const ACTIVE: ReadonlySet<string> = new Set<RunStatus>(['queued', 'running']);

/** An ISO time from metadata, or null when it is missing or unusable (then the blob is kept, never guessed). */
function metaTime(metadata: Record<string, unknown> | null, ...fields: string[]): number | null {
  for (const field of fields) {
    const value = metadata?.[field];
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return null;
}

/**
 * One retention pass (or the part of it that fits the budget), resuming from
 * the saved cursor. It decides from blob metadata, never deletes anything of a
 * queued or running run, archives a run before deleting its documents, and
 * keeps videos and evaluations, and leaves alone a project an import is still
 * writing. A dry run changes nothing and saves no cursor.
 */
export async function runCleanup(options: CleanupOptions): Promise<CleanupReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const policy = retentionPolicy();
  const now = options.now.getTime();
  const resumedFrom = options.dryRun ? null : ((await readJSON(keys.cleanupCursor(), cursorDoc))?.value ?? null);
  const report: CleanupReport = {
    dryRun: options.dryRun,
    now: options.now.toISOString(),
    complete: false,
    resumedFrom,
    cursor: null,
    examined: 0,
    deleted: counts(),
    archived: 0,
    kept: { active: 0, importing: 0, unreadable: 0, recent: { progress: 0, runs: 0, media: 0, uploads: 0 } },
    unreadable: [],
    errors: [],
    policy: describePolicy(policy),
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
  };
  const remove = async (store: StoreId, key: string) => {
    if (!options.dryRun) await deleteKey(store, key);
  };
  const unreadable = (store: string, key: string, reason: string) => {
    report.kept.unreadable++;
    if (report.unreadable.length < MAX_LISTED) report.unreadable.push({ store, key, reason });
  };
  const context: PhaseContext = { policy, now, options, report, remove, unreadable };

  const visit = (phase: Phase, item: string) => HANDLERS[phase](item, context);
  const stoppedAt = await walkPhases({ phases: PHASES, items: ITEMS, visit, from: resumedFrom, deadline, report });
  const cursor: Cursor | null = stoppedAt && { ...stoppedAt, savedAt: new Date().toISOString() };
  report.complete = stoppedAt === null;
  report.cursor = cursor;
  report.durationMs = Date.now() - started;
  if (!options.dryRun) {
    if (cursor) await writeJSON(keys.cleanupCursor(), cursorDoc, cursor);
    else await deleteBlob(keys.cleanupCursor());
    const date = report.now.slice(0, 10);
    await updateJSON(keys.cleanupReport(date), dailyReportDoc, (current) => ({
      date,
      invocations: [...(current?.invocations ?? []), report].slice(-50),
    }));
  }
  log.info('retention pass', {
    dryRun: report.dryRun,
    complete: report.complete,
    examined: report.examined,
    deleted: report.deleted,
    archived: report.archived,
    kept: report.kept,
    errors: report.errors.length,
  });
  return report;
}

interface PhaseContext {
  policy: RetentionPolicy;
  now: number;
  options: CleanupOptions;
  report: CleanupReport;
  remove: (store: StoreId, key: string) => Promise<void>;
  unreadable: (store: string, key: string, reason: string) => void;
}

/** What each phase walks, in key order. */
const ITEMS: Record<Phase, () => AsyncGenerator<string>> = {
  progress: () => keysUnder('progress', 'projects/'),
  runs: runFolders,
  uploads: uploadFolders,
  media: () => projectFolders('media'),
  shares: () => keysUnder('runs', keys.allRunSharesPrefix()),
};

/** Live runs' status, from state.json metadata: 'active', 'finished', or null when it cannot be told. */
async function runActivity(projectId: Id, runId: Id): Promise<'active' | 'finished' | 'gone' | null> {
  const metadata = await getMetadataByKey('runs', keys.runState(projectId, runId).key);
  if (!metadata) return 'gone';
  const status = metadata.status;
  if (typeof status !== 'string') return null;
  return ACTIVE.has(status) ? 'active' : 'finished';
}

const HANDLERS: Record<Phase, (item: string, context: PhaseContext) => Promise<void>> = {
  /** Progress logs: 30 days after their last event, unless their run is still live. */
  async progress(key, { policy, now, report, remove, unreadable }) {
    const run = runOfKey(key);
    if (!run || !key.endsWith('/progress.json')) return unreadable('sirtrav-progress', key, 'not a progress log key');
    const updated = metaTime(await getMetadataByKey('progress', key), 'updatedAt');
    if (updated === null) return unreadable('sirtrav-progress', key, 'no usable updatedAt in metadata');
    if (now - updated < policy.progressMs) return void report.kept.recent.progress++;
    const { projectId, runId } = run;
    if (await importInProgress(projectId)) return void report.kept.importing++;
    const activity = await runActivity(projectId, runId);
    if (activity === 'active') return void report.kept.active++;
    if (activity === null)
      return unreadable('sirtrav-runs', keys.runState(projectId, runId).key, 'run status missing from metadata');
    await remove('progress', key);
    report.deleted.progress++;
  },

  /** Finished runs: 90 days after their last change, archived, then their documents, audio and progress go. */
  async runs(prefix, { policy, now, report, remove, unreadable, options }) {
    const run = runOfKey(prefix);
    if (!run) return unreadable('sirtrav-runs', prefix, 'not a run folder');
    const { projectId, runId } = run;
    if (await importInProgress(projectId)) return void report.kept.importing++;
    const stateKey = keys.runState(projectId, runId).key;
    const metadata = await getMetadataByKey('runs', stateKey);
    const updated = metaTime(metadata, 'updatedAt');
    const documents: string[] = [];
    for await (const key of keysUnder('runs', prefix)) documents.push(key);
    // The local Blobs server keeps empty folders after deletes; production has no such thing.
    if (documents.length === 0) return;
    if (!metadata || updated === null || typeof metadata.status !== 'string')
      return unreadable(
        'sirtrav-runs',
        stateKey,
        metadata ? 'no usable status or updatedAt in metadata' : 'run folder without state.json',
      );
    if (ACTIVE.has(metadata.status)) return void report.kept.active++;
    if (now - updated < policy.runMs) return void report.kept.recent.runs++;
    if (!options.dryRun) {
      const state = await readRunState(projectId, runId);
      if (state) await archiveRun(state, new Date(now));
    }
    report.archived++;
    // state.json goes last: a pass cut short finds the run again and finishes the job.
    for (const key of documents.sort((a, b) => Number(a === stateKey) - Number(b === stateKey))) {
      await remove('runs', key);
      report.deleted.runDocuments++;
    }
    for await (const key of keysUnder('audio', prefix)) {
      await remove('audio', key);
      report.deleted.audio++;
    }
    const progressKey = keys.progress(projectId, runId).key;
    const progressUpdated = metaTime(await getMetadataByKey('progress', progressKey), 'updatedAt');
    // A dry run left the log in place, but the progress phase already counted it if it was old enough.
    const countedAlready = options.dryRun && progressUpdated !== null && now - progressUpdated >= policy.progressMs;
    if (progressUpdated !== null && !countedAlready) {
      await remove('progress', progressKey);
      report.deleted.progress++;
    }
    report.deleted.runs++;
  },

  /** Chunked uploads: a day after they started, finished or not. */
  async uploads(prefix, { policy, now, report, remove, unreadable }) {
    const parts: string[] = [];
    for await (const key of keysUnder('media', prefix)) parts.push(key);
    if (parts.length === 0) return;
    const session = parts.find((key) => key.endsWith('/session.json'));
    const started = metaTime(
      await getMetadataByKey('media', session ?? parts[0] ?? `${prefix}session.json`),
      'createdAt',
    );
    if (started === null) return unreadable('sirtrav-media', session ?? prefix, 'upload without a usable createdAt');
    if (now - started < policy.uploadMs) return void report.kept.recent.uploads++;
    for (const key of parts) await remove('media', key);
    report.deleted.uploads++;
  },

  shares: expireShare,

  /** Photos: 90 days after upload or last use by a run, unless a live run may still use them. */
  async media(projectFolder, { policy, now, report, remove, unreadable, options }) {
    const projectId = projectIdOf(projectFolder);
    if (!isId(projectId)) return;
    if (await importInProgress(projectId)) return void report.kept.importing++;
    const needed = await mediaNeededByLiveRuns(projectId);
    const usage = await readMediaUsage(projectId);
    const deletedIds: string[] = [];
    for await (const key of keysUnder('media', keys.mediaPrefix(projectId))) {
      const mediaId = key.slice(keys.mediaPrefix(projectId).length);
      const uploaded = metaTime(await getMetadataByKey('media', key), 'uploadedAt', 'createdAt');
      if (uploaded === null) {
        unreadable('sirtrav-media', key, 'no usable uploadedAt in metadata');
        continue;
      }
      const lastUsed = Math.max(uploaded, metaTime(usage, mediaId) ?? 0);
      if (now - lastUsed < policy.mediaMs) {
        report.kept.recent.media++;
        continue;
      }
      if (needed === 'all' || needed.has(mediaId)) {
        report.kept.active++;
        continue;
      }
      await remove('media', key);
      deletedIds.push(mediaId);
      report.deleted.media++;
    }
    if (!options.dryRun && deletedIds.length > 0) {
      await forgetMediaUse(projectId, deletedIds);
      await forgetPhotos(projectId, deletedIds);
    }
  },
};

/**
 * Shares, by their runs' markers: an expired share goes with its marker (it
 * already answers 404; this frees the records), and so does a marker whose share is gone.
 */
async function expireShare(marker: string, { now, report, remove, unreadable }: PhaseContext): Promise<void> {
  const share = shareOfMarker(marker);
  if (!share) return unreadable('sirtrav-runs', marker, 'not a share marker key');
  const record = keys.share(share.shareId).key;
  const expiresAt = metaTime(await getMetadataByKey('runs', marker), 'expiresAt');
  const recordStored = (await getMetadataByKey('runs', record)) !== null;
  if (recordStored && expiresAt === null) return unreadable('sirtrav-runs', marker, 'no usable expiresAt in metadata');
  if (recordStored && expiresAt! > now) return;
  if (recordStored) await remove('runs', record);
  await remove('runs', marker);
  report.deleted.shares++;
}

/** Photos a queued or running run may still read: its chosen ones, or all of them if it has not chosen yet. */
async function mediaNeededByLiveRuns(projectId: Id): Promise<Set<string> | 'all'> {
  const needed = new Set<string>();
  for await (const folder of foldersUnder('runs', keys.runsPrefix(projectId))) {
    const runId = folder.slice(keys.runsPrefix(projectId).length).replace(/\/$/, '');
    if (!isId(runId)) continue;
    const activity = await runActivity(projectId, runId);
    if (activity === 'finished' || activity === 'gone') continue;
    const state = await readRunState(projectId, runId);
    if (!state) continue;
    if (!state.storyboard && state.mediaIds.length === 0) return 'all';
    state.mediaIds.forEach((id) => needed.add(id));
    if (state.storyboard) shotMediaIds(state.storyboard.shots).forEach((id) => needed.add(id));
  }
  return needed;
}
