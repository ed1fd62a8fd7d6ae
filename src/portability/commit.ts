import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { emptyIndex, memoryIndexDoc } from '../learning/memory.js';
import type { ExportManifest, ImportedSummary, ManifestBlob } from '../schemas/portability.js';
import {
  decodeDocument,
  idSchema,
  isId,
  keys,
  listKeyPages,
  openStore,
  readJSON,
  sha256Hex,
  updateJSON,
  writeJSON,
  type Id,
  type StoreId,
  parseId,
} from '../storage/index.js';
import { toArrayBuffer } from '../storage/documents.js';
import { projectInfoDoc } from '../projects/index.js';
import { readEntries, type ReadEntry } from './archive-reader.js';
import type { ImportPlan, ImportSession } from './import-session.js';
import { entryName, storeIdOf, type Layout } from './layout.js';
import { remapBlob, idReplacer, type IdMap } from './remap.js';
import { z } from 'zod';
import { defineDocument } from '../storage/index.js';

/** A blob the target site already holds with other content: never overwritten, always reported. */
export class ImportConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, { details, retryable: false });
    this.name = 'ImportConflictError';
  }
}

const markerDoc = defineDocument('import-marker', 1, z.object({ importId: idSchema, startedAt: z.iso.datetime() }));

/** Keys of a project that is still empty: its own record, its webhook secret and an index with no history. */
async function emptinessProblems(projectId: Id): Promise<string[]> {
  const problems: string[] = [];
  const allowed = new Set([
    keys.projectInfo(projectId).key,
    keys.memoryIndex(projectId).key,
    keys.importMarker(projectId).key,
    keys.webhookSecret(projectId).key,
  ]);
  for (const store of ['runs', 'progress', 'media', 'audio', 'evals'] as StoreId[]) {
    for await (const page of listKeyPages(store, `projects/${projectId}/`)) {
      problems.push(
        ...page
          .filter((key) => !allowed.has(key))
          .slice(0, 5)
          .map((key) => `${store}: ${key}`),
      );
      break;
    }
  }
  for await (const page of listKeyPages('runs', `archive/${projectId}/`)) {
    if (page.length > 0) problems.push(`runs: archive/${projectId}/…`);
    break;
  }
  const index = await readJSON(keys.memoryIndex(projectId), memoryIndexDoc).catch(() => null);
  if (index && index.value.video_history.length > 0) problems.push('memory index has history');
  return problems;
}

async function runIdTaken(runId: Id): Promise<boolean> {
  for await (const page of listKeyPages('videos', `${runId}/`)) if (page.length > 0) return true;
  return (await openStore('evals').getMetadata(keys.evaluation(runId).key)) !== null;
}

/**
 * Decides where the archive goes, before anything is written: the target
 * project (kept id if free), and a new id for every run whose run-keyed blobs
 * (video, evaluation) the site already has. Then claims the project with a marker.
 */
export async function planImport(session: ImportSession, manifest: ExportManifest): Promise<ImportPlan> {
  const wanted = parseId(session.requestedProjectId ?? manifest.projectId);
  const exists = (await readJSON(keys.projectInfo(wanted), projectInfoDoc)) !== null;
  const problems = await emptinessProblems(wanted);
  let projectId = wanted;
  let newProject = !exists;
  if (session.requestedProjectId && problems.length > 0) {
    throw new ImportConflictError('project_not_empty', `Project ${wanted} is not empty; import into a new project or an empty one.`, { found: problems });
  }
  if (!session.requestedProjectId && (exists || problems.length > 0)) {
    projectId = newId('p');
    newProject = true;
  }
  const runMap: Record<string, Id> = {};
  for (const runId of manifest.runIds) if (await runIdTaken(runId)) runMap[runId] = newId('r');
  const skipped: ImportPlan['skipped'] = [];
  const recordKey = keys.projectInfo(manifest.projectId).key;
  const recordIndex = manifest.blobs.findIndex((blob) => blob.store === 'sirtrav-runs' && blob.key === recordKey);
  if (!newProject && recordIndex >= 0) skipped.push({ index: recordIndex, reason: 'the target project keeps its own record' });
  const claimed = await writeJSON(
    keys.importMarker(projectId),
    markerDoc,
    { importId: session.importId, startedAt: new Date().toISOString() },
    { onlyIfNew: true },
  );
  if (!claimed) {
    const marker = await readJSON(keys.importMarker(projectId), markerDoc);
    if (marker?.value.importId !== session.importId)
      throw new ImportConflictError(
        'import_in_progress',
        `Another import (${marker?.value.importId ?? 'unknown'}) is writing project ${projectId}; finish or roll it back first.`,
      );
  }
  return { projectId, newProject, runMap, skipped, projectRecordIndex: newProject && recordIndex >= 0 ? recordIndex : null };
}

export function idMapOf(manifest: ExportManifest, plan: ImportPlan): IdMap {
  const map = new Map<string, string>(Object.entries(plan.runMap));
  if (plan.projectId !== manifest.projectId) map.set(manifest.projectId, plan.projectId);
  return map;
}

interface Destination {
  store: StoreId;
  key: string;
  body: Uint8Array;
  metadata: Record<string, unknown>;
}

function destination(blob: ManifestBlob, body: Uint8Array, map: IdMap): Destination {
  const changed = remapBlob(body, blob.metadata, map);
  return { store: storeIdOf(blob.store), key: idReplacer(map)(blob.key), ...changed };
}

const sameBlob = (a: { body: Uint8Array; metadata: unknown }, b: { body: Uint8Array; metadata: unknown }) =>
  sha256Hex(a.body) === sha256Hex(b.body) && JSON.stringify(a.metadata) === JSON.stringify(b.metadata);

/** Writes one blob only if its key is free; finding our own earlier write (a resumed import) is fine, anything else is a conflict. */
async function writeNew(target: Destination): Promise<void> {
  const store = openStore(target.store);
  const result = await store.set(target.key, toArrayBuffer(target.body), { metadata: target.metadata, onlyIfNew: true });
  if (result.modified) {
    if (!result.etag) throw new AppError(503, 'storage_write_failed', `Write to ${target.key} was not confirmed by the store; resume the import.`);
    return;
  }
  const existing = await store.getWithMetadata(target.key, { type: 'arrayBuffer', consistency: 'strong' });
  if (existing && sameBlob({ body: new Uint8Array(existing.data), metadata: existing.metadata }, target)) return;
  throw new ImportConflictError('blob_exists', `${target.store}/${target.key} already exists with other content; it was not overwritten.`, {
    store: target.store,
    key: target.key,
  });
}

/** The target's empty index is replaced (compare-and-swap), never one with history. */
async function replaceEmptyIndex(projectId: Id, target: Destination): Promise<void> {
  const ref = keys.memoryIndex(projectId);
  const imported = decodeDocument(memoryIndexDoc, ref, toArrayBuffer(target.body), target.metadata).value;
  await updateJSON(ref, memoryIndexDoc, (current) => {
    if (current && current.video_history.length > 0)
      throw new ImportConflictError('blob_exists', `The memory index of project ${projectId} gained history during the import; it was not overwritten.`);
    return imported;
  });
}

/**
 * Writes verified blobs into the project in manifest order from `from`, until
 * the budget is spent; returns how many are done. The new project's record is
 * left for `finishCommit`, so the project appears only once it is whole.
 */
export async function commitBlobs(
  session: ImportSession,
  manifest: ExportManifest,
  layout: Layout,
  plan: ImportPlan,
  from: number,
  deadline: number,
): Promise<number> {
  const map = idMapOf(manifest, plan);
  const skip = new Set(plan.skipped.map((s) => s.index));
  const indexKey = keys.memoryIndex(plan.projectId).key;
  let committed = from;
  await readEntries(
    session,
    layout.entries,
    from + 1,
    async ({ index, body, sha256 }: ReadEntry) => {
      const i = index - 1;
      const blob = manifest.blobs[i]!;
      if (sha256 !== blob.sha256)
        throw new ImportConflictError('archive_changed', `${entryName(blob)} changed after it was verified; upload the archive again.`);
      if (!skip.has(i) && i !== plan.projectRecordIndex) {
        const target = destination(blob, body, map);
        if (!plan.newProject && target.store === 'evals' && target.key === indexKey) await replaceEmptyIndex(plan.projectId, target);
        else await writeNew(target);
      }
      committed = index;
      return Date.now() < deadline;
    },
    { keepBody: true },
  );
  return committed;
}

/** Writes the new project's record (it now exists, whole) and removes the marker. */
export async function finishCommit(session: ImportSession, manifest: ExportManifest, layout: Layout, plan: ImportPlan): Promise<void> {
  const index = plan.projectRecordIndex;
  if (index !== null) {
    const map = idMapOf(manifest, plan);
    await readEntries(
      session,
      layout.entries,
      index + 1,
      async ({ body }) => {
        await writeNew(destination(manifest.blobs[index]!, body, map));
        return false;
      },
      { keepBody: true },
    );
  } else if (plan.newProject) {
    // An archive without a project record (hand-made): the project still needs one to exist.
    await writeJSON(
      keys.projectInfo(plan.projectId),
      projectInfoDoc,
      { projectId: plan.projectId, name: null, createdAt: manifest.createdAt },
      { onlyIfNew: true },
    );
  }
  await openStore('runs').delete(keys.importMarker(plan.projectId).key);
}

/** Removes what an unfinished import wrote (entries before `committed`), then its marker. */
export async function undoCommit(manifest: ExportManifest, plan: ImportPlan, committed: number): Promise<number> {
  const map = idMapOf(manifest, plan);
  const replace = idReplacer(map);
  const skip = new Set(plan.skipped.map((s) => s.index));
  const indexKey = keys.memoryIndex(plan.projectId).key;
  let removed = 0;
  for (let i = 0; i < committed; i++) {
    const blob = manifest.blobs[i]!;
    if (skip.has(i)) continue;
    const store = storeIdOf(blob.store);
    const key = replace(blob.key);
    if (!plan.newProject && store === 'evals' && key === indexKey) await writeJSON(keys.memoryIndex(plan.projectId), memoryIndexDoc, emptyIndex());
    else await openStore(store).delete(key);
    removed++;
  }
  if (plan.projectRecordIndex !== null) await openStore('runs').delete(keys.projectInfo(plan.projectId).key);
  await openStore('runs').delete(keys.importMarker(plan.projectId).key);
  return removed;
}

export function summarizeImport(manifest: ExportManifest, plan: ImportPlan): ImportedSummary {
  const skip = new Set(plan.skipped.map((s) => s.index));
  const written = manifest.blobs.filter((_, i) => !skip.has(i));
  const byStore: Record<string, number> = {};
  for (const blob of written) byStore[blob.store] = (byStore[blob.store] ?? 0) + 1;
  return {
    blobs: written.length,
    bytes: written.reduce((sum, blob) => sum + blob.size, 0),
    byStore,
    media: written.filter((b) => b.store === 'sirtrav-media' && /\/media\/[^/]+$/.test(b.key)).length,
    runs: manifest.runIds.length,
    videos: written.filter((b) => b.store === 'sirtrav-videos' && b.key.endsWith('/final.mp4')).length,
    evaluations: written.filter((b) => b.store === 'sirtrav-evals' && b.key.endsWith('/evaluation.json')).length,
    remapped: {
      projectId: plan.projectId !== manifest.projectId ? { from: manifest.projectId, to: plan.projectId } : null,
      runs: plan.runMap,
    },
    skipped: plan.skipped.map((s) => ({ store: manifest.blobs[s.index]!.store, key: manifest.blobs[s.index]!.key, reason: s.reason })),
  };
}

export { isId };
