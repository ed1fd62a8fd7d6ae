import { evaluationDoc } from '../learning/evaluation-doc.js';
import { archiveDoc } from '../runs/index.js';
import type { ArchiveRecord } from '../schemas/archive.js';
import type { RunState } from '../schemas/run.js';
import { keys, readJSON, writeJSON } from '../storage/index.js';

/** Writes the run's archive record once (a resumed cleanup finds it there and moves on). */
export async function archiveRun(state: RunState, now: Date): Promise<boolean> {
  const evaluation = (await readJSON(keys.evaluation(state.runId), evaluationDoc))?.value;
  const storyboard = state.storyboard;
  const record: ArchiveRecord = {
    runId: state.runId,
    projectId: state.projectId,
    status: state.status,
    createdAt: state.createdAt,
    finishedAt: state.updatedAt,
    timings: state.timings ?? null,
    providers: (state.providers as Record<string, string> | undefined) ?? null,
    storyboard: storyboard
      ? {
          theme: storyboard.theme,
          mood: storyboard.mood,
          musicStyle: storyboard.musicStyle,
          durationSec: storyboard.durationSec,
          resolution: storyboard.resolution,
          shots: storyboard.shots.length,
        }
      : null,
    video:
      state.status === 'complete' && state.outputs.video
        ? {
            bytes: state.outputs.video.bytes,
            durationSec: state.outputs.video.durationSec,
            width: state.outputs.video.width,
            height: state.outputs.video.height,
          }
        : null,
    error:
      state.status === 'failed'
        ? { code: state.error.code, message: state.error.message, retryable: state.error.retryable }
        : null,
    request: state.request,
    progress: state.progress,
    rating: evaluation?.projectId === state.projectId ? evaluation.rating : null,
    archive_reason: 'retention_expired',
    archivedAt: now.toISOString(),
  };
  return writeJSON(keys.archive(state.projectId, state.runId), archiveDoc, record, { onlyIfNew: true });
}
