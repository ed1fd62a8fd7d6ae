import { AppError } from '../errors.js';
import { log } from '../log.js';
import type { Id } from '../storage/index.js';
import { ImportRefusedError } from './archive-reader.js';
import { commitBlobs, finishCommit, ImportConflictError, planImport, summarizeImport, undoCommit } from './commit.js';
import { dropStagedParts, missingParts, requireImport, saveImport, type ImportSession } from './import-session.js';
import { planLayout } from './layout.js';
import { readManifest, verifyBlobs } from './verify.js';

export { startImport, putImportPart, requireImport, IMPORT_PART_SIZE } from './import-session.js';

const layoutOf = async (session: ImportSession) => planLayout(Buffer.byteLength(JSON.stringify(session.manifest)), session.manifest!.blobs);

/** The error a finished-badly import answers with, every time it is asked again. */
function storedFailure(session: ImportSession): AppError {
  const error = session.error ?? { code: 'import_failed', message: `Import ${session.importId} is ${session.status}.` };
  const status = session.status === 'refused' ? 422 : session.status === 'rolled_back' ? 410 : 409;
  return new AppError(status, error.code, error.message, { details: error.details, retryable: false });
}

async function fail(session: ImportSession, status: 'refused' | 'conflict', error: AppError): Promise<never> {
  await saveImport(session.importId, (current) => ({ ...current, status, error: { code: error.code, message: error.message, details: error.details } }));
  if (status === 'refused') await dropStagedParts(session.importId);
  log.warn('import stopped', { importId: session.importId, status, code: error.code });
  throw error;
}

/**
 * Moves an import on as far as the time budget allows: all parts there →
 * verify every blob against the manifest → plan ids → write, blob by blob →
 * the project record last. Each stage saves where it got to, so calling again
 * resumes; nothing is written to the project before every blob is verified.
 */
export async function advanceImport(importId: Id, budgetMs: number, onProgress?: (session: ImportSession) => void): Promise<ImportSession> {
  const deadline = Date.now() + budgetMs;
  let session = await requireImport(importId);
  let first = true;
  try {
    for (;;) {
      onProgress?.(session);
      if (session.status === 'complete') return session;
      if (session.status === 'refused' || session.status === 'conflict' || session.status === 'rolled_back') throw storedFailure(session);
      // At least one step per call, so that even a tiny budget moves the import on.
      if (Date.now() >= deadline && !first) return session;
      first = false;
      session = await step(session, deadline);
    }
  } catch (error) {
    if (error instanceof ImportRefusedError) return fail(session, 'refused', error);
    if (error instanceof ImportConflictError) return fail(session, 'conflict', error);
    throw error;
  }
}

async function step(session: ImportSession, deadline: number): Promise<ImportSession> {
  const id = session.importId;
  if (session.status === 'uploading') {
    const missing = await missingParts(session);
    if (missing.length > 0)
      throw new AppError(409, 'import_incomplete', `Import ${id} is missing ${missing.length} of ${session.partCount} parts; send them, then complete again.`, {
        details: { missing: missing.slice(0, 100) },
      });
    return saveImport(id, (current) => (current.status === 'uploading' ? { ...current, status: 'verifying' } : current));
  }
  if (session.status === 'verifying') {
    if (!session.manifest) {
      const { manifest } = await readManifest(session);
      return saveImport(id, (current) => ({ ...current, manifest }));
    }
    const verified = await verifyBlobs(session, session.manifest, await layoutOf(session), session.verified, deadline);
    const done = verified >= session.manifest.blobs.length;
    return saveImport(id, (current) => ({ ...current, verified: Math.max(current.verified, verified), status: done ? 'committing' : current.status }));
  }
  // committing
  const manifest = session.manifest!;
  if (!session.plan) {
    const plan = await planImport(session, manifest);
    return saveImport(id, (current) => ({ ...current, plan: current.plan ?? plan }));
  }
  const layout = await layoutOf(session);
  if (session.committed < manifest.blobs.length) {
    const committed = await commitBlobs(session, manifest, layout, session.plan, session.committed, deadline);
    return saveImport(id, (current) => ({ ...current, committed: Math.max(current.committed, committed) }));
  }
  await finishCommit(session, manifest, layout, session.plan);
  const summary = summarizeImport(manifest, session.plan);
  const finished = await saveImport(id, (current) => ({ ...current, status: 'complete', summary }));
  await dropStagedParts(id);
  log.info('import complete', { importId: id, projectId: session.plan.projectId, blobs: summary.blobs });
  return finished;
}

/** Rolls back an unfinished import: removes whatever it wrote, its marker and its staged parts. */
export async function rollbackImport(importId: Id): Promise<ImportSession> {
  const session = await requireImport(importId);
  if (session.status === 'complete') throw new AppError(409, 'import_complete', `Import ${importId} is complete; delete the project instead.`);
  if (session.status === 'rolled_back') return session;
  if (session.manifest && session.plan) await undoCommit(session.manifest, session.plan, session.committed);
  await dropStagedParts(importId);
  return saveImport(importId, (current) => ({
    ...current,
    status: 'rolled_back',
    committed: 0,
    error: { code: 'import_rolled_back', message: `Import ${importId} was rolled back; nothing of it is left in the project.` },
  }));
}

export const importProgress = (session: ImportSession) => ({
  importId: session.importId,
  status: session.status,
  projectId: session.plan?.projectId ?? null,
  verified: session.verified,
  committed: session.committed,
  total: session.manifest?.blobs.length ?? 0,
  error: session.error ? { code: session.error.code, message: session.error.message } : null,
});
