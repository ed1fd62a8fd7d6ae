import { archiveRecordSchema, type ArchiveRecord } from '../schemas/archive.js';
import { defineDocument, keys, readJSON, type Id } from '../storage/index.js';

/** What stays of a run once retention has deleted its documents (written by retention, read by learning). */
export const archiveDoc = defineDocument('run-archive', 1, archiveRecordSchema);

export async function readArchive(projectId: Id, runId: Id): Promise<ArchiveRecord | null> {
  return (await readJSON(keys.archive(projectId, runId), archiveDoc))?.value ?? null;
}
