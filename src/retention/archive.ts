import { z } from 'zod';
import { evaluationDoc } from '../learning/evaluation-doc.js';
import type { RunState } from '../schemas/run.js';
import { defineDocument, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

/** What stays of a run after retention deletes its documents: enough for history and audit. */
export const archiveRecordSchema = z.object({
  runId: z.string(),
  projectId: z.string(),
  status: z.enum(['queued', 'running', 'complete', 'failed', 'cancelled']),
  createdAt: z.string(),
  finishedAt: z.string(),
  timings: z.record(z.string(), z.unknown()).nullable(),
  providers: z.record(z.string(), z.string()).nullable(),
  storyboard: z.object({ theme: z.string(), mood: z.string(), musicStyle: z.string(), durationSec: z.number(), resolution: z.string(), shots: z.number().int() }).nullable(),
  video: z.object({ bytes: z.number(), durationSec: z.number(), width: z.number(), height: z.number() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  rating: z.enum(['good', 'bad']).nullable(),
  archive_reason: z.literal('retention_expired'),
  archivedAt: z.string(),
});
export type ArchiveRecord = z.infer<typeof archiveRecordSchema>;
export const archiveDoc = defineDocument('run-archive', 1, archiveRecordSchema);

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
    storyboard: storyboard ? { theme: storyboard.theme, mood: storyboard.mood, musicStyle: storyboard.musicStyle, durationSec: storyboard.durationSec, resolution: storyboard.resolution, shots: storyboard.shots.length } : null,
    video: state.status === 'complete' ? { bytes: state.outputs.video.bytes, durationSec: state.outputs.video.durationSec, width: state.outputs.video.width, height: state.outputs.video.height } : null,
    error: state.status === 'failed' ? { code: state.error.code, message: state.error.message } : null,
    rating: evaluation?.projectId === state.projectId ? evaluation.rating : null,
    archive_reason: 'retention_expired',
    archivedAt: now.toISOString(),
  };
  return writeJSON(keys.archive(state.projectId, state.runId), archiveDoc, record, { onlyIfNew: true });
}

export async function readArchive(projectId: Id, runId: Id): Promise<ArchiveRecord | null> {
  return (await readJSON(keys.archive(projectId, runId), archiveDoc))?.value ?? null;
}
