import { AppError } from '../errors.js';
import { log } from '../log.js';
import { UNCHANGED, type Id } from '../storage/index.js';
import { ImportRefusedError } from './archive-reader.js';
import { commitBlobs, finishCommit, ImportConflictError, planImport, summarizeImport, undoCommit } from './commit.js';
import { dropStagedParts, missingParts, requireImport, saveImport, type ImportSession } from './import-session.js';
import { planLayout } from './layout.js';
import { readManifest, verifyBlobs } from './verify.js';

export { startImport, putImportPart, requireImport, IMPORT_PART_SIZE } from './import-session.js';

/** A session as advanced by one call; the call that completes it also carries the project's new webhook secret (never stored in the session). */
export type AdvancedImport = ImportSession & { webhookSecret?: string };

const layoutOf = async (session: ImportSession) =>
  planLayout(Buffer.byteLength(JSON.stringify(session.manifest)), session.manifest!.blobs);

/** The error a finished-badly import answers with, every time it is asked again. */
function storedFailure(session: ImportSession): AppError {
  const error = session.error ?? { code: 'import_failed', message: `Import ${session.importId} is ${session.status}.` };
  const status = session.status === 'refused' ? 422 : session.status === 'rolled_back' ? 410 : 409;
  return new AppError(status, error.code, error.message, { details: error.details, retryable: false });
}

async function fail(session: ImportSession, status: 'refused' | 'conflict', error: AppError): Promise<never> {
  await saveImport(session.importId, (current) =>
    current.status === 'rolled_back'
      ? UNCHANGED
      : { ...current, status, error: { code: error.code, message: error.message, details: error.details } },
  );
  if (status === 'refused') await dropStagedParts(session.importId);
  log.warn('import stopped', { importId: session.importId, status, code: error.code });
  throw error;
}

/**
 * Moves an import on as far as the time budget allows: all parts there →
 * signature, manifest and every blob verified (documents decoded and
 * validated) → plan ids → write, blob by blob → secret and project record last.
 * Each stage saves where it got to, so calling again resumes; nothing is
 * written to the project before the whole archive is verified.
 */
export async function advanceImport(
  importId: Id,
  budgetMs: number,
  onProgress?: (session: ImportSession) => void,
): Promise<AdvancedImport> {
  const deadline = Date.now() + budgetMs;
  let session: AdvancedImport = await requireImport(importId);
  let first = true;
  try {
    for (;;) {
      onProgress?.(session);
      if (session.status === 'complete') return session;
      if (session.status === 'refused' || session.status === 'conflict' || session.status === 'rolled_back')
        throw storedFailure(session);
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

async function step(session: ImportSession, deadline: number): Promise<AdvancedImport> {
  const id = session.importId;
  if (session.status === 'uploading') {
    const missing = await missingParts(session);
    if (missing.length > 0)
      throw new AppError(
        409,
        'import_incomplete',
        `Import ${id} is missing ${missing.length} of ${session.partCount} parts; send them, then complete again.`,
        {
          details: { missing: missing.slice(0, 100) },
        },
      );
    return saveImport(id, (current) =>
      current.status === 'uploading' ? { ...current, status: 'verifying' } : current,
    );
  }
  if (session.status === 'verifying') {
    if (!session.manifest) {
      const { manifest, signedBy } = await readManifest(session);
      return saveImport(id, (current) => ({ ...current, manifest, signedBy }));
    }
    const verified = await verifyBlobs(session, session.manifest, await layoutOf(session), session.verified, deadline);
    const done = verified >= session.manifest.blobs.length;
    return saveImport(id, (current) => ({
      ...current,
      verified: Math.max(current.verified, verified),
      status: done ? 'committing' : current.status,
    }));
  }
  return commitStep(session, deadline);
}

/**
 * Every save after a write goes through here: if a roll-back got in while
 * this call was writing, the roll-back could not see these writes (they were
 * not counted yet), so this call removes them itself and stops.
 */
async function saveAfterWrites(
  session: ImportSession,
  written: { indexes: number[] } | 'all',
  change: (current: ImportSession) => ImportSession,
): Promise<ImportSession> {
  const saved = await saveImport(session.importId, (current) =>
    current.status === 'rolled_back' ? UNCHANGED : change(current),
  );
  if (saved.status !== 'rolled_back') return saved;
  const manifest = session.manifest!;
  await undoCommit(manifest, session.plan!, {
    committed: manifest.blobs.length,
    ...(written === 'all' ? {} : { indexes: written.indexes }),
  });
  throw storedFailure(saved);
}

async function commitStep(session: ImportSession, deadline: number): Promise<AdvancedImport> {
  const id = session.importId;
  const manifest = session.manifest!;
  if (!session.plan) {
    const plan = await planImport(session, manifest);
    return saveImport(id, (current) => ({ ...current, plan: current.plan ?? plan }));
  }
  const layout = await layoutOf(session);
  if (session.committed < manifest.blobs.length) {
    const written: number[] = [];
    let committed: number;
    try {
      committed = await commitBlobs(session, layout, { from: session.committed, deadline }, written);
    } catch (error) {
      // A write that failed because a roll-back got in: clean up after this call and answer as rolled back.
      if ((await requireImport(id)).status === 'rolled_back')
        await saveAfterWrites(session, { indexes: written }, (current) => current);
      throw error;
    }
    return saveAfterWrites(session, { indexes: written }, (current) => ({
      ...current,
      committed: Math.max(current.committed, committed),
    }));
  }
  const webhookSecret = await finishCommit(session, layout);
  const summary = summarizeImport(manifest, session.plan);
  const finished = await saveAfterWrites(session, 'all', (current) => ({ ...current, status: 'complete', summary }));
  await dropStagedParts(id);
  log.info('import complete', { importId: id, projectId: session.plan.projectId, blobs: summary.blobs });
  return { ...finished, webhookSecret };
}

/**
 * Rolls back an unfinished import: marks it rolled back first (so a call
 * still writing cleans up after itself, see saveAfterWrites), then removes
 * whatever it wrote, its secret, record and marker, and its staged parts.
 * Asking again repeats the clean-up.
 */
export async function rollbackImport(importId: Id): Promise<ImportSession> {
  const session = await saveImport(importId, (current) => {
    if (current.status === 'complete')
      throw new AppError(409, 'import_complete', `Import ${importId} is complete; delete the project instead.`);
    if (current.status === 'rolled_back') return UNCHANGED;
    return {
      ...current,
      status: 'rolled_back',
      error: {
        code: 'import_rolled_back',
        message: `Import ${importId} was rolled back; nothing of it is left in the project.`,
      },
    };
  });
  if (session.manifest && session.plan)
    await undoCommit(session.manifest, session.plan, { committed: session.committed });
  await dropStagedParts(importId);
  return session;
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
