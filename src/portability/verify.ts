import { exportManifestSchema, type ExportManifest } from '../schemas/portability.js';
import { ID_PATTERN } from '../storage/index.js';
import { readEntries, ImportRefusedError } from './archive-reader.js';
import { entryName, MANIFEST_ENTRY, planLayout, type Layout } from './layout.js';
import type { ImportSession } from './import-session.js';

/** A key is a relative path of plain segments: no `..`, no empty segment, no backslash or control character. */
function safeKey(key: string): boolean {
  if (Buffer.byteLength(key) > 600 || key.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(key)) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Whether a key belongs to the exported project (or to one of its runs, for the run-keyed stores). */
function ownedBy(manifest: ExportManifest, store: string, key: string): boolean {
  const p = manifest.projectId;
  const runs = new Set<string>(manifest.runIds);
  const runOf = /^projects\/[^/]+\/runs\/([^/]+)\//.exec(key)?.[1];
  if (runOf !== undefined && !runs.has(runOf)) return false;
  if (key.startsWith(`projects/${p}/`)) return store !== 'sirtrav-videos';
  if (store === 'sirtrav-runs') {
    const archived = /^archive\/([^/]+)\/([^/]+)\.json$/.exec(key);
    return archived !== null && archived[1] === p && runs.has(archived[2]!);
  }
  const runKeyed = /^([^/]+)\/[^/]+$/.exec(key)?.[1];
  // A video's pieces lie deeper under its run: {runId}/final-pieces/{generation}/{n}.
  if (store === 'sirtrav-videos') return runs.has(/^([^/]+)\//.exec(key)?.[1] ?? '');
  if (store === 'sirtrav-evals') return runKeyed !== undefined && runs.has(runKeyed) && key.endsWith('/evaluation.json');
  return false;
}

/** Checks the manifest on its own: shape, every key safe and the project's, no blob twice, and the archive's size. */
export async function checkManifest(raw: Buffer, archiveBytes: number): Promise<{ manifest: ExportManifest; layout: Layout }> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ImportRefusedError('invalid_manifest', 'manifest.json is not valid JSON.');
  }
  const parsed = exportManifestSchema.safeParse(value);
  if (!parsed.success)
    throw new ImportRefusedError(
      'invalid_manifest',
      `manifest.json is not a SirTrav export manifest: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}.`,
    );
  const manifest = parsed.data;
  if (manifest.runIds.some((id) => !ID_PATTERN.test(id))) throw new ImportRefusedError('invalid_manifest', 'A run id in the manifest is not a valid id.');
  const seen = new Set<string>();
  for (const blob of manifest.blobs) {
    const name = entryName(blob);
    if (!safeKey(blob.key))
      throw new ImportRefusedError('unsafe_path', `The manifest lists an unsafe key ${JSON.stringify(blob.key.slice(0, 200))}.`, {
        store: blob.store,
        key: blob.key.slice(0, 200),
      });
    if (!ownedBy(manifest, blob.store, blob.key))
      throw new ImportRefusedError('foreign_key', `${name.slice(0, 200)} does not belong to project ${manifest.projectId}.`, {
        store: blob.store,
        key: blob.key.slice(0, 200),
      });
    if (seen.has(name)) throw new ImportRefusedError('duplicate_entry', `${name.slice(0, 200)} is listed twice.`);
    seen.add(name);
  }
  const layout = await planLayout(raw.byteLength, manifest.blobs);
  if (layout.totalBytes !== archiveBytes || manifest.totalBytes !== archiveBytes) {
    throw new ImportRefusedError(
      'size_mismatch',
      `The archive has ${archiveBytes} bytes; its manifest describes ${layout.totalBytes} (says ${manifest.totalBytes}). A blob is missing or an entry was added.`,
      { bytes: archiveBytes, expected: layout.totalBytes },
    );
  }
  return { manifest, layout };
}

/** Reads and checks the manifest, the archive's first entry. */
export async function readManifest(session: ImportSession): Promise<{ manifest: ExportManifest; layout: Layout }> {
  let raw: Buffer | null = null;
  await readEntries(
    session,
    [{ name: MANIFEST_ENTRY, size: -1, offset: 0, end: 0 }],
    0,
    async ({ body }) => {
      raw = body;
      return false;
    },
    { keepBody: true },
  );
  if (!raw) throw new ImportRefusedError('invalid_manifest', 'The archive does not start with manifest.json.');
  return checkManifest(raw, session.bytes);
}

/**
 * Checks blobs against the manifest (header, size, SHA-256) from `from` on
 * until the budget is spent; returns how many are verified. Once all are, the
 * archive must end: an extra entry after the last blob is refused too.
 */
export async function verifyBlobs(session: ImportSession, manifest: ExportManifest, layout: Layout, from: number, deadline: number): Promise<number> {
  let verified = from;
  let stopped = false;
  const next = await readEntries(
    session,
    layout.entries,
    from + 1,
    async ({ index, sha256 }) => {
      const blob = manifest.blobs[index - 1]!;
      if (sha256 !== blob.sha256)
        throw new ImportRefusedError('hash_mismatch', `${entryName(blob).slice(0, 200)} does not match its SHA-256 in the manifest.`, {
          store: blob.store,
          key: blob.key.slice(0, 200),
        });
      verified = index;
      // After the last blob, read on to the end of the archive to refuse anything added after it.
      stopped = Date.now() >= deadline && index < manifest.blobs.length;
      return !stopped;
    },
    { expectEnd: true },
  );
  if (!stopped && next < layout.entries.length) {
    throw new ImportRefusedError('missing_entry', `The archive ends before ${layout.entries[next]!.name.slice(0, 200)}.`);
  }
  return verified;
}
