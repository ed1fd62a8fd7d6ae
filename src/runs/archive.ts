import { archiveRecordSchema, type ArchivedRun, type ArchiveRecord } from '../schemas/archive.js';
import { defineDocument, isId, keys, listKeyPages, readJSON, type Id } from '../storage/index.js';
import { listRunIds } from './state.js';

/** What stays of a run once retention has deleted its documents (written by retention, read by learning). */
export const archiveDoc = defineDocument({ name: 'run-archive', version: 1, schema: archiveRecordSchema });

export async function readArchive(projectId: Id, runId: Id): Promise<ArchiveRecord | null> {
  return (await readJSON(keys.archive(projectId, runId), archiveDoc))?.value ?? null;
}

/** The runs of the project that have an archive record (their documents may be gone, or not yet). */
async function listArchivedRunIds(projectId: Id): Promise<Id[]> {
  const prefix = keys.archivePrefix(projectId);
  const ids: Id[] = [];
  for await (const page of listKeyPages('runs', prefix)) {
    for (const key of page) {
      const runId = key.slice(prefix.length).replace(/\.json$/, '');
      if (isId(runId)) ids.push(runId);
    }
  }
  return ids;
}

/**
 * Every run the project has: live runs, and runs of which only the archive
 * record is left. Oldest first: run ids start with their creation time.
 */
export async function listAllRunIds(projectId: Id): Promise<Id[]> {
  const ids = new Set([...(await listRunIds(projectId)), ...(await listArchivedRunIds(projectId))]);
  return [...ids].sort();
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
    ...(record.error
      ? {
          error: { code: record.error.code, message: record.error.message, retryable: record.error.retryable ?? false },
        }
      : {}),
    createdAt: record.createdAt,
    updatedAt: record.finishedAt,
    archived: true,
    archive: record,
  };
}
