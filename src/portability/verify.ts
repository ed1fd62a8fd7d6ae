import { exportManifestSchema, type ExportManifest } from '../schemas/portability.js';
import { CorruptBlobError, decodeDocument } from '../storage/index.js';
import { toArrayBuffer } from '../storage/documents.js';
import { admitBlob } from './admit.js';
import { readEntries, ImportRefusedError } from './archive-reader.js';
import { entryName, FIRST_BLOB_ENTRY, MANIFEST_ENTRY, planLayout, type Layout } from './layout.js';
import type { ImportSession } from './import-session.js';
import { SIGNATURE_BYTES, SIGNATURE_ENTRY, signatureEntrySchema, signatureHolds, siteKey } from './signing.js';

/** A key is a relative path of plain segments: no `..`, no empty segment, no backslash or control character. */
function safeKey(key: string): boolean {
  if (Buffer.byteLength(key) > 600 || key.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(key)) return false;
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * The manifest's signature must hold under this site's export key, or under
 * the export key the import was given (another site's). Checked before the
 * manifest is even parsed: nothing an unverified archive says is believed.
 */
export function checkSignature(manifestJson: Buffer, signature: Buffer, trustedKey: string | null): string {
  let entry;
  try {
    entry = signatureEntrySchema.parse(JSON.parse(signature.toString('utf8')));
  } catch {
    throw new ImportRefusedError('invalid_signature', `${SIGNATURE_ENTRY} is not a SirTrav export signature.`);
  }
  const trusted = [siteKey().exportKey, ...(trustedKey ? [trustedKey] : [])];
  if (!trusted.includes(entry.exportKey))
    throw new ImportRefusedError(
      'untrusted_signer',
      `The archive is signed by ${entry.exportKey}, which is neither this site's export key nor the one given with the import (exportKey); pass the exporting site's key to import it.`,
      { signedBy: entry.exportKey },
    );
  if (!signatureHolds(manifestJson, entry, entry.exportKey))
    throw new ImportRefusedError(
      'invalid_signature',
      'The manifest does not match its signature: the archive changed after it was exported.',
    );
  return entry.exportKey;
}

/** Checks the manifest on its own: shape, every key safe and one a project is made of, no blob twice, and the archive's size. */
export async function checkManifest(
  raw: Buffer,
  archiveBytes: number,
): Promise<{ manifest: ExportManifest; layout: Layout }> {
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
  if (new Set(manifest.runIds).size !== manifest.runIds.length)
    throw new ImportRefusedError('invalid_manifest', 'A run id is listed twice in the manifest.');
  const seen = new Set<string>();
  for (const blob of manifest.blobs) {
    const name = entryName(blob);
    if (!safeKey(blob.key))
      throw new ImportRefusedError(
        'unsafe_path',
        `The manifest lists an unsafe key ${JSON.stringify(blob.key.slice(0, 200))}.`,
        {
          store: blob.store,
          key: blob.key.slice(0, 200),
        },
      );
    admitBlob(manifest, blob);
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

/** Reads the manifest and its signature (the archive's first two entries), verifies the signature, then checks the manifest. */
export async function readManifest(
  session: ImportSession,
): Promise<{ manifest: ExportManifest; layout: Layout; signedBy: string }> {
  const bodies: Buffer[] = [];
  await readEntries(
    session,
    [
      { name: MANIFEST_ENTRY, size: -1, offset: 0, end: 0 },
      { name: SIGNATURE_ENTRY, size: SIGNATURE_BYTES, offset: 0, end: 0 },
    ],
    0,
    async ({ body }) => {
      bodies.push(body);
      return bodies.length < 2;
    },
    { keepBody: true },
  );
  const [raw, signature] = bodies;
  if (!raw || !signature)
    throw new ImportRefusedError(
      'unsigned_archive',
      `The archive does not start with ${MANIFEST_ENTRY} and ${SIGNATURE_ENTRY}.`,
    );
  const signedBy = checkSignature(raw, signature, session.exportKey);
  return { ...(await checkManifest(raw, session.bytes)), signedBy };
}

/** A document of the archive, decoded and checked the way every read of the store checks it (size, gzip, hash, schema). */
export function decodeArchived(manifest: ExportManifest, index: number, body: Buffer): unknown {
  const blob = manifest.blobs[index]!;
  const kind = admitBlob(manifest, blob);
  if (!kind.doc) return null;
  try {
    return decodeDocument(kind.doc, kind.ref, toArrayBuffer(body), blob.metadata).value;
  } catch (error) {
    if (!(error instanceof CorruptBlobError)) throw error;
    throw new ImportRefusedError(
      'invalid_document',
      `${entryName(blob).slice(0, 200)} is not a valid ${kind.doc.name} document: ${error.message}`,
      {
        store: blob.store,
        key: blob.key.slice(0, 200),
      },
    );
  }
}

/** Whether entry `index` of the archive is a document (whose body is decoded, so held), rather than a binary streamed past. */
export const isDocumentEntry = (manifest: ExportManifest) => (index: number) =>
  index >= FIRST_BLOB_ENTRY && admitBlob(manifest, manifest.blobs[index - FIRST_BLOB_ENTRY]!).doc !== null;

/**
 * Checks blobs against the manifest (header, size, SHA-256; a document also
 * decoded and validated) from `from` on until the budget is spent; returns how
 * many are verified. Once all are, the archive must end: an extra entry after
 * the last blob is refused too.
 */
export async function verifyBlobs(
  session: ImportSession,
  manifest: ExportManifest,
  layout: Layout,
  from: number,
  deadline: number,
): Promise<number> {
  let verified = from;
  let stopped = false;
  const next = await readEntries(
    session,
    layout.entries,
    from + FIRST_BLOB_ENTRY,
    async ({ index, sha256, body }) => {
      const i = index - FIRST_BLOB_ENTRY;
      const blob = manifest.blobs[i]!;
      if (sha256 !== blob.sha256)
        throw new ImportRefusedError(
          'hash_mismatch',
          `${entryName(blob).slice(0, 200)} does not match its SHA-256 in the manifest.`,
          {
            store: blob.store,
            key: blob.key.slice(0, 200),
          },
        );
      decodeArchived(manifest, i, body);
      verified = i + 1;
      // After the last blob, read on to the end of the archive to refuse anything added after it.
      stopped = Date.now() >= deadline && verified < manifest.blobs.length;
      return !stopped;
    },
    { expectEnd: true, keepBody: isDocumentEntry(manifest) },
  );
  if (!stopped && next < layout.entries.length) {
    throw new ImportRefusedError(
      'missing_entry',
      `The archive ends before ${layout.entries[next]!.name.slice(0, 200)}.`,
    );
  }
  return verified;
}
