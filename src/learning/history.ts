import { legacyTime, type LegacyEntry } from '../schemas/legacy.js';
import type { Evaluation, HistoryEntry } from '../schemas/memory.js';
import { listAllRunIds, readArchive, readRunState } from '../runs/index.js';
import { evaluationDoc } from './evaluation-doc.js';
import type { RunState } from '../schemas/run.js';
import { CorruptBlobError, isId, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

/**
 * The memory index's history: one run's entry (from its evaluation, or from the
 * completed run while it is unrated), and the whole history rebuilt from the stores.
 */

export { evaluationDoc };

function legacyRating(value: unknown): 'good' | 'bad' | null {
  if (value === true || value === 1 || value === 'good' || value === 'positive' || value === 'up' || value === 'like')
    return 'good';
  if (
    value === false ||
    value === 0 ||
    value === -1 ||
    value === 'bad' ||
    value === 'negative' ||
    value === 'down' ||
    value === 'dislike'
  )
    return 'bad';
  return null;
}

export function entryFromEvaluation(evaluation: Evaluation): HistoryEntry {
  return {
    runId: evaluation.runId,
    timestamp: evaluation.completedAt,
    rating: evaluation.rating,
    theme: evaluation.theme,
    musicStyle: evaluation.musicStyle,
    mood: evaluation.mood,
    durationSec: evaluation.durationSec,
    ratedAt: evaluation.ratedAt,
  };
}

/** A completed run not yet rated; its time is when it completed (a finished run's state never changes again). */
export function entryFromCompletedRun(state: Extract<RunState, { status: 'complete' }>): HistoryEntry {
  return {
    runId: state.runId,
    timestamp: state.updatedAt,
    rating: null,
    theme: state.storyboard?.theme ?? state.request.theme ?? '',
    musicStyle: state.storyboard?.musicStyle ?? 'unknown',
    mood: state.storyboard?.mood ?? 'unknown',
    durationSec: state.storyboard.durationSec,
    ratedAt: null,
  };
}

/** Turns legacy ratings into evaluations (where none exists yet), so evaluations stay the one source of truth. */
async function migrateLegacy(projectId: Id, legacy: LegacyEntry[]): Promise<Id[]> {
  const migrated: Id[] = [];
  for (const item of legacy) {
    const rating = legacyRating(item.rating);
    if (!item.runId || !isId(item.runId) || !rating) continue;
    const at = legacyTime(item.timestamp, new Date(0).toISOString());
    await writeJSON(
      keys.evaluation(item.runId),
      evaluationDoc,
      {
        runId: item.runId,
        projectId,
        rating,
        comment: null,
        commentTrimmed: false,
        theme: (item.theme ?? '').slice(0, 120),
        mood: (item.mood ?? 'unknown').slice(0, 32),
        musicStyle: (item.musicStyle ?? 'unknown').slice(0, 32),
        durationSec: item.durationSec ?? item.duration ?? 30,
        completedAt: at,
        ratedAt: at,
      },
      { onlyIfNew: true },
    );
    migrated.push(item.runId);
  }
  return migrated;
}

/**
 * The history, from the evaluations (and completed runs not yet rated). Used
 * when the index is missing, corrupt or outdated.
 */
export async function rebuildHistory(projectId: Id, legacy: LegacyEntry[] = []): Promise<HistoryEntry[]> {
  const migrated = legacy.length > 0 ? await migrateLegacy(projectId, legacy) : [];
  // Every run the project has had: live runs, archived runs, and any named by legacy ratings.
  const runIds = [...new Set([...migrated, ...(await listAllRunIds(projectId))])].sort();
  const entries: HistoryEntry[] = [];
  for (let i = 0; i < runIds.length; i += 16) {
    const batch = await Promise.all(
      runIds.slice(i, i + 16).map(async (runId) => {
        const evaluation = (await readJSON(keys.evaluation(runId), evaluationDoc))?.value;
        if (evaluation && evaluation.projectId === projectId) return entryFromEvaluation(evaluation);
        // A state that fails its own checks is no complete run: repair fails it (state_unreadable).
        const state = await readRunState(projectId, runId).catch((error: unknown) => {
          if (error instanceof CorruptBlobError) return null;
          throw error;
        });
        if (state) return state.status === 'complete' ? entryFromCompletedRun(state) : null;
        // A run whose documents retention removed: its archive record has what the history needs.
        const archived = await readArchive(projectId, runId);
        if (archived?.status !== 'complete' || !archived.storyboard) return null;
        return {
          runId,
          timestamp: archived.finishedAt,
          rating: null,
          theme: archived.storyboard.theme,
          musicStyle: archived.storyboard.musicStyle,
          mood: archived.storyboard.mood,
          durationSec: archived.storyboard.durationSec,
          ratedAt: null,
        };
      }),
    );
    entries.push(...batch.filter((entry): entry is HistoryEntry => entry !== null));
  }
  return entries;
}
