import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { emptyIndex, memoryIndexDoc } from '../learning/memory.js';
import type { MemoryIndex } from '../schemas/memory.js';
import { projectInfoDoc } from '../projects/index.js';
import type { ExportManifest, ImportedSummary } from '../schemas/portability.js';
import {
  encodeDocument,
  importMarkerDoc,
  keys,
  listKeyPages,
  openStore,
  parseId,
  readJSON,
  sha256Hex,
  updateJSON,
  writeJSON,
  type DocumentMeta,
  type Id,
  type StoreId,
} from '../storage/index.js';
import { toArrayBuffer } from '../storage/documents.js';
import { replaceWebhookSecret } from '../webhooks/secret.js';
import { admitBlob } from './admit.js';
import { readEntries, type ReadEntry } from './archive-reader.js';
import type { ImportPlan, ImportSession } from './import-session.js';
import { entryName, FIRST_BLOB_ENTRY, type Layout } from './layout.js';
import { idReplacer, remapValue, type IdMap } from './remap.js';
import { decodeArchived, isDocumentEntry } from './verify.js';

/** A blob the target site already holds with other content: never overwritten, always reported. */
export class ImportConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(409, code, message, { details, retryable: false });
    this.name = 'ImportConflictError';
  }
}

/**
 * Keys of an existing project that is still empty: its own record, its webhook
 * secret and an index with no history. A listing may lag behind a write; an
 * import into an existing project is the one path that relies on it (a new
 * project, the default, has nothing to look for), and it never overwrites a
 * blob it finds anyway.
 */
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

/**
 * Decides where the archive goes, before anything is written: a new project
 * with a new id (or the one asked for: a new id, or an existing empty
 * project), and a new id for every run, so that run ids stay unique across the
 * site without asking any listing which are taken. Then claims the project
 * with a marker, written only if there is none.
 */
export async function planImport(session: ImportSession, manifest: ExportManifest): Promise<ImportPlan> {
  const projectId = session.requestedProjectId ? parseId(session.requestedProjectId) : newId('p');
  const exists =
    session.requestedProjectId !== null && (await readJSON(keys.projectInfo(projectId), projectInfoDoc)) !== null;
  if (exists) {
    const problems = await emptinessProblems(projectId);
    if (problems.length > 0)
      throw new ImportConflictError(
        'project_not_empty',
        `Project ${projectId} is not empty; import into a new project or an empty one.`,
        { found: problems },
      );
  }
  const runMap = Object.fromEntries(manifest.runIds.map((runId) => [runId, newId('r')]));
  const skipped: ImportPlan['skipped'] = [];
  const recordKey = keys.projectInfo(manifest.projectId).key;
  const recordIndex = manifest.blobs.findIndex((blob) => blob.store === 'sirtrav-runs' && blob.key === recordKey);
  if (exists && recordIndex >= 0)
    skipped.push({ index: recordIndex, reason: 'the target project keeps its own record' });
  const claimed = await writeJSON(
    keys.importMarker(projectId),
    importMarkerDoc,
    { importId: session.importId, startedAt: new Date().toISOString() },
    { onlyIfNew: true },
  );
  if (!claimed) {
    const marker = await readJSON(keys.importMarker(projectId), importMarkerDoc);
    if (marker?.value.importId !== session.importId)
      throw new ImportConflictError(
        'import_in_progress',
        `Another import (${marker?.value.importId ?? 'unknown'}) is writing project ${projectId}; finish or roll it back first.`,
      );
  }
  return {
    projectId,
    newProject: !exists,
    runMap,
    skipped,
    projectRecordIndex: !exists && recordIndex >= 0 ? recordIndex : null,
  };
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
  /** The decoded, re-validated document (documents only). */
  value: unknown;
}

/**
 * Blob `index` of the manifest as it is written here, ids changed. A document
 * is decoded and validated, its ids changed, validated again and encoded the
 * way the store writes it (metadata rebuilt, keeping its times); a binary keeps
 * its bytes and only the ids in its metadata change.
 */
function destination(manifest: ExportManifest, index: number, body: Uint8Array, map: IdMap): Destination {
  const blob = manifest.blobs[index]!;
  const replace = idReplacer(map);
  const kind = admitBlob(manifest, blob);
  const key = replace(blob.key);
  if (!kind.doc)
    return {
      store: kind.ref.store,
      key,
      body,
      metadata: remapValue(blob.metadata, replace) as Record<string, unknown>,
      value: null,
    };
  const value = kind.doc.schema.parse(remapValue(decodeArchived(manifest, index, Buffer.from(body)), replace));
  const meta = blob.metadata as DocumentMeta;
  const encoded = encodeDocument(kind.doc, value, { createdAt: meta.createdAt, updatedAt: meta.updatedAt });
  return { store: kind.ref.store, key, body: encoded.body, metadata: encoded.meta, value };
}

const sameBlob = (a: { body: Uint8Array; metadata: unknown }, b: { body: Uint8Array; metadata: unknown }) =>
  sha256Hex(a.body) === sha256Hex(b.body) && JSON.stringify(a.metadata) === JSON.stringify(b.metadata);

/** Writes one blob only if its key is free; finding our own earlier write (a resumed import) is fine, anything else is a conflict. */
async function writeNew(target: Destination): Promise<void> {
  const store = openStore(target.store);
  const result = await store.set(target.key, toArrayBuffer(target.body), {
    metadata: target.metadata,
    onlyIfNew: true,
  });
  if (result.modified) {
    if (!result.etag)
      throw new AppError(
        503,
        'storage_write_failed',
        `Write to ${target.key} was not confirmed by the store; resume the import.`,
      );
    return;
  }
  const existing = await store.getWithMetadata(target.key, { type: 'arrayBuffer', consistency: 'strong' });
  if (existing && sameBlob({ body: new Uint8Array(existing.data), metadata: existing.metadata }, target)) return;
  throw new ImportConflictError(
    'blob_exists',
    `${target.store}/${target.key} already exists with other content; it was not overwritten.`,
    {
      store: target.store,
      key: target.key,
    },
  );
}

/** The target's empty index is replaced (compare-and-swap), never one with history. */
async function replaceEmptyIndex(projectId: Id, target: Destination): Promise<void> {
  await updateJSON(keys.memoryIndex(projectId), memoryIndexDoc, (current) => {
    if (current && current.video_history.length > 0)
      throw new ImportConflictError(
        'blob_exists',
        `The memory index of project ${projectId} gained history during the import; it was not overwritten.`,
      );
    return target.value as MemoryIndex;
  });
}

/**
 * Writes verified blobs into the project in manifest order from `from`, until
 * the budget is spent; returns how many are done. `written` tells the caller
 * which it wrote, so a roll-back that raced this call can be completed by it. The new project's
 * record is left for `finishCommit`, so the project appears only once it is whole.
 */
export async function commitBlobs(
  session: ImportSession,
  layout: Layout,
  range: { from: number; deadline: number },
  /** Filled as blobs are written, so the caller knows them even if this call fails part-way. */
  written: number[],
): Promise<number> {
  const { from, deadline } = range;
  const manifest = session.manifest!;
  const plan = session.plan!;
  const map = idMapOf(manifest, plan);
  const skip = new Set(plan.skipped.map((s) => s.index));
  const indexKey = keys.memoryIndex(plan.projectId).key;
  let committed = from;
  await readEntries(
    session,
    layout.entries,
    from + FIRST_BLOB_ENTRY,
    async ({ index, body, sha256 }: ReadEntry) => {
      const i = index - FIRST_BLOB_ENTRY;
      const blob = manifest.blobs[i]!;
      if (sha256 !== blob.sha256)
        throw new ImportConflictError(
          'archive_changed',
          `${entryName(blob)} changed after it was verified; upload the archive again.`,
        );
      if (!skip.has(i) && i !== plan.projectRecordIndex) {
        const target = destination(manifest, i, body, map);
        written.push(i);
        if (!plan.newProject && target.store === 'evals' && target.key === indexKey)
          await replaceEmptyIndex(plan.projectId, target);
        else await writeNew(target);
      }
      committed = i + 1;
      return Date.now() < deadline;
    },
    { keepBody: true },
  );
  return committed;
}

/**
 * Gives the project a new webhook secret, writes the new project's record (it
 * now exists, whole) and removes the marker. Returns the secret: shown once.
 */
export async function finishCommit(session: ImportSession, layout: Layout): Promise<string> {
  const manifest = session.manifest!;
  const plan = session.plan!;
  const webhookSecret = await replaceWebhookSecret(plan.projectId);
  const index = plan.projectRecordIndex;
  if (index !== null) {
    const map = idMapOf(manifest, plan);
    await readEntries(
      session,
      layout.entries,
      index + FIRST_BLOB_ENTRY,
      async ({ body }) => {
        await writeNew(destination(manifest, index, body, map));
        return false;
      },
      { keepBody: isDocumentEntry(manifest) },
    );
  } else if (plan.newProject) {
    // An archive without a project record: the project still needs one to exist.
    await writeJSON(
      keys.projectInfo(plan.projectId),
      projectInfoDoc,
      { projectId: plan.projectId, name: null, createdAt: manifest.createdAt },
      { onlyIfNew: true },
    );
  }
  await openStore('runs').delete(keys.importMarker(plan.projectId).key);
  return webhookSecret;
}

/**
 * Removes what an unfinished import wrote, then its secret, record and marker.
 * `indexes` are the manifest entries to undo. A key made from a new id (every
 * run's, and all of a new project's) can only have been written by this
 * import, so those are removed even past `committed` (a call cut short after a
 * write); in an existing project, other keys only up to `committed`.
 */
export async function undoCommit(
  manifest: ExportManifest,
  plan: ImportPlan,
  options: { committed: number; indexes?: number[] },
): Promise<number> {
  const map = idMapOf(manifest, plan);
  const replace = idReplacer(map);
  const skip = new Set(plan.skipped.map((s) => s.index));
  const indexKey = keys.memoryIndex(plan.projectId).key;
  const indexes = options.indexes ?? manifest.blobs.map((_, i) => i);
  let removed = 0;
  for (const i of indexes) {
    const blob = manifest.blobs[i]!;
    if (skip.has(i)) continue;
    const kind = admitBlob(manifest, blob);
    if (i >= options.committed && !plan.newProject && kind.runId === null) continue;
    const key = replace(blob.key);
    if (!plan.newProject && kind.ref.store === 'evals' && key === indexKey)
      await writeJSON(keys.memoryIndex(plan.projectId), memoryIndexDoc, emptyIndex());
    else await openStore(kind.ref.store).delete(key);
    removed++;
  }
  if (plan.newProject && options.indexes === undefined) {
    await openStore('runs').delete(keys.projectInfo(plan.projectId).key);
    await openStore('runs').delete(keys.webhookSecret(plan.projectId).key);
  }
  if (options.indexes === undefined) await openStore('runs').delete(keys.importMarker(plan.projectId).key);
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
    skipped: plan.skipped.map((s) => ({
      store: manifest.blobs[s.index]!.store,
      key: manifest.blobs[s.index]!.key,
      reason: s.reason,
    })),
  };
}
