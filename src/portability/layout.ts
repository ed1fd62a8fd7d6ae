import tar from 'tar-stream';
import type { ExportManifest, ManifestBlob } from '../schemas/portability.js';
import { STORE_NAMES, type StoreId } from '../storage/index.js';
import { SIGNATURE_BYTES, SIGNATURE_ENTRY } from './signing.js';

/** tar pads every entry body to 512-byte blocks and ends with two zero blocks. */
const BLOCK = 512;
export const END_OF_ARCHIVE_BYTES = 2 * BLOCK;
export const MANIFEST_ENTRY = 'manifest.json';
/** Entry 0 is the manifest, entry 1 its signature; blob i of the manifest is entry i + FIRST_BLOB_ENTRY. */
export const FIRST_BLOB_ENTRY = 2;

export interface LayoutEntry {
  name: string;
  size: number;
  /** Where this entry's header starts in the archive. */
  offset: number;
  /** The first byte after its padded body. */
  end: number;
}

export interface Layout {
  entries: LayoutEntry[];
  totalBytes: number;
}

/** The archive path of a blob: its store's name, then its key, e.g. `sirtrav-media/projects/p_1/media/m_2`. */
export const entryName = (blob: Pick<ManifestBlob, 'store' | 'key'>) => `${blob.store}/${blob.key}`;

export const storeIdOf = (name: ManifestBlob['store']): StoreId =>
  (Object.keys(STORE_NAMES) as StoreId[]).find((id) => STORE_NAMES[id] === name)!;

/** Every header is the same but for name and size, so that an archive is a pure function of its manifest. */
export function tarHeader(name: string, size: number, mtime: Date): Partial<tar.Header> & { name: string } {
  return { name, size, mode: 0o644, mtime, type: 'file', uid: 0, gid: 0, uname: '', gname: '' };
}

const headerLengths = new Map<string, number>();

/**
 * Bytes tar-stream writes before an entry's body: 512, or more when a long key
 * needs a PAX header. Measured by packing an empty entry, so it always agrees
 * with the library that writes the archive.
 */
export async function headerLength(name: string): Promise<number> {
  const known = headerLengths.get(name);
  if (known !== undefined) return known;
  const pack = tar.pack();
  pack.entry(tarHeader(name, 0, new Date(0)), Buffer.alloc(0));
  pack.finalize();
  let bytes = 0;
  for await (const chunk of pack) bytes += (chunk as Buffer).byteLength;
  const length = bytes - END_OF_ARCHIVE_BYTES;
  if (headerLengths.size > 50_000) headerLengths.clear();
  headerLengths.set(name, length);
  return length;
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Where every entry lies: the manifest first, its signature, then each blob in manifest order, then the end blocks. */
export async function planLayout(
  manifestBytes: number,
  blobs: readonly Pick<ManifestBlob, 'store' | 'key' | 'size'>[],
): Promise<Layout> {
  const entries: LayoutEntry[] = [];
  let offset = 0;
  const add = async (name: string, size: number) => {
    const end = offset + (await headerLength(name)) + padded(size);
    entries.push({ name, size, offset, end });
    offset = end;
  };
  await add(MANIFEST_ENTRY, manifestBytes);
  await add(SIGNATURE_ENTRY, SIGNATURE_BYTES);
  for (const blob of blobs) await add(entryName(blob), blob.size);
  return { entries, totalBytes: offset + END_OF_ARCHIVE_BYTES };
}

/**
 * The manifest states the part count and total size of the archive it is in,
 * and its own length changes both: iterate until they agree (sizes only grow,
 * so this settles within a few rounds).
 */
export async function finalizeManifest(
  draft: Omit<ExportManifest, 'parts' | 'totalBytes'>,
): Promise<{ manifest: ExportManifest; json: Buffer; layout: Layout }> {
  let manifest: ExportManifest = { ...draft, parts: 1, totalBytes: 1 };
  for (let round = 0; round < 20; round++) {
    const json = Buffer.from(JSON.stringify(manifest));
    const layout = await planLayout(json.byteLength, manifest.blobs);
    const parts = Math.max(1, Math.ceil(layout.totalBytes / manifest.partSize));
    if (parts === manifest.parts && layout.totalBytes === manifest.totalBytes) return { manifest, json, layout };
    manifest = { ...manifest, parts, totalBytes: layout.totalBytes };
  }
  throw new Error('The export manifest did not settle on a size.');
}
