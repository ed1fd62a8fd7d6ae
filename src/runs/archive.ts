import { archiveRecordSchema, type ArchivedRun, type ArchiveRecord } from '../schemas/archive.js';
import { defineDocument, keys, readJSON, type Id } from '../storage/index.js';

/** What stays of a run once retention has deleted its documents (written by retention, read by learning). */
export const archiveDoc = defineDocument('run-archive', 1, archiveRecordSchema);

export async function readArchive(projectId: Id, runId: Id): Promise<ArchiveRecord | null> {
  return (await readJSON(keys.archive(projectId, runId), archiveDoc))?.value ?? null;
}

/** The run as its archive record tells it, in the RunState's shape as far as the record goes. */
export function archivedRun(record: ArchiveRecord): ArchivedRun {
  return {
    runId: record.runId,
    projectId: record.projectId,
    status: record.status,
    step: null,
    progress: record.progress ?? (record.status === 'complete' ? 1 : 0),
    request: record.request ?? {},
    ...(record.video ? { outputs: { video: record.video } } : {}),
    ...(record.error ? { error: { code: record.error.code, message: record.error.message, retryable: record.error.retryable ?? false } } : {}),
    createdAt: record.createdAt,
    updatedAt: record.finishedAt,
    archived: true,
    archive: record,
  };
}
