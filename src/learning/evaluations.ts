import { AppError } from '../errors.js';
import { requireRun } from '../runs/index.js';
import type { EvaluateBody, Evaluation } from '../schemas/memory.js';
import { keys, updateJSON, UNCHANGED, type Id } from '../storage/index.js';
import { upsertHistoryEntry } from './memory.js';
import { entryFromEvaluation, evaluationDoc } from './history.js';

/** API.md: an evaluation is stored in at most 1 KB. */
export const EVALUATION_MAX_BYTES = 1024;
const THEME_MAX_CHARS = 120;

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * Cuts the comment (never the rating or the run's facts) so the stored
 * evaluation fits in 1 KB, and says so with `commentTrimmed`.
 */
export function fitEvaluation(evaluation: Evaluation): Evaluation {
  if (size(evaluation) <= EVALUATION_MAX_BYTES || !evaluation.comment) return evaluation;
  const chars = [...evaluation.comment];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size({ ...evaluation, comment: chars.slice(0, mid).join(''), commentTrimmed: true }) <= EVALUATION_MAX_BYTES)
      low = mid;
    else high = mid - 1;
  }
  return { ...evaluation, comment: low > 0 ? chars.slice(0, low).join('') : null, commentTrimmed: true };
}

/**
 * Rates a complete run. The evaluation is the source of truth (re-rating
 * replaces it); the memory index is then updated from it. Sending the same
 * rating again changes nothing.
 */
export async function rateRun(
  projectId: Id,
  runId: Id,
  body: EvaluateBody,
): Promise<{ evaluation: Evaluation; created: boolean }> {
  const state = await requireRun(projectId, runId);
  if (state.status !== 'complete')
    throw new AppError(409, 'run_not_complete', `Run ${runId} is ${state.status}; only a complete run can be rated.`, {
      details: { status: state.status },
    });
  const storyboard = state.storyboard;
  const draft = fitEvaluation({
    runId,
    projectId,
    rating: body.rating,
    comment: body.comment ? body.comment : null,
    commentTrimmed: false,
    theme: [...(storyboard?.theme ?? state.request.theme ?? '')].slice(0, THEME_MAX_CHARS).join(''),
    mood: storyboard?.mood ?? 'unknown',
    musicStyle: storyboard?.musicStyle ?? 'unknown',
    durationSec: storyboard?.durationSec ?? state.storyboard.durationSec,
    completedAt: state.updatedAt,
    ratedAt: new Date().toISOString(),
  });
  let created = false;
  const stored = await updateJSON(keys.evaluation(runId), evaluationDoc, (current) => {
    created = current === null;
    if (current && current.rating === draft.rating && current.comment === draft.comment) return UNCHANGED;
    return draft;
  });
  const evaluation = stored!;
  await upsertHistoryEntry(projectId, entryFromEvaluation(evaluation));
  return { evaluation, created };
}
