import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { exportManifestSchema, manifestBlobSchema, type ExportManifest } from '../schemas/portability.js';
import {
  defineDocument,
  deleteKey,
  idSchema,
  keys,
  listKeyPages,
  openStore,
  readJSON,
  writeJSON,
  type Id,
  isId,
} from '../storage/index.js';
import { describeBlob, listProjectBlobs } from './collect.js';
import {
  entryName,
  finalizeManifest,
  FIRST_BLOB_ENTRY,
  planLayout,
  storeIdOf,
  tarHeader,
  type Layout,
} from './layout.js';
import { signManifest } from './signing.js';

/** A part fits Netlify's 20 MB streamed-response limit with room to spare. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** An export can be downloaded for a day; after that its blobs may have changed. */
const EXPORT_TTL_MS = 24 * 3600 * 1000;

const addressSchema = z.object({
  store: z.enum(['videos', 'audio', 'media', 'runs', 'evals', 'progress']),
  key: z.string(),
});

/** The state of an export: the blobs still to hash, those hashed, and once ready the manifest. */
const exportJobSchema = z.object({
  exportId: idSchema,
  projectId: idSchema,
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  partSize: z.number().int().positive(),
  runIds: z.array(idSchema),
  pending: z.array(addressSchema),
  described: z.array(manifestBlobSchema),
  /** Each described blob's etag when it was hashed, by `store/key`: a part checks its blobs still have them. */
  etags: z.record(z.string(), z.string()).default({}),
  manifest: exportManifestSchema.nullable(),
});
type ExportJob = z.infer<typeof exportJobSchema>;
const exportJobDoc = defineDocument({ name: 'export-job', version: 1, schema: exportJobSchema });

export class ExportNotFoundError extends AppError {
  constructor(exportId: string) {
    super(
      404,
      'export_not_found',
      `Export ${exportId} does not exist for this project (or has expired and was removed); start a new one with GET …/export.`,
    );
    this.name = 'ExportNotFoundError';
  }
}

/** Deletes the project's expired export jobs, a listing page at a time. */
async function dropExpiredExports(projectId: Id, now: number): Promise<void> {
  for await (const page of listKeyPages('runs', keys.exportsPrefix(projectId))) {
    for (const key of page) {
      const exportId = key
        .split('/')
        .pop()!
        .replace(/\.json$/, '');
      const job = isId(exportId)
        ? await readJSON(keys.exportJob(projectId, exportId), exportJobDoc).catch(() => null)
        : null;
      if (!job || Date.parse(job.value.expiresAt) < now) await deleteKey('runs', key);
    }
  }
}

async function startExport(projectId: Id, partSize: number): Promise<ExportJob> {
  const now = Date.now();
  await dropExpiredExports(projectId, now);
  const { runIds, blobs } = await listProjectBlobs(projectId);
  const job: ExportJob = {
    exportId: newId('x'),
    projectId,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + EXPORT_TTL_MS).toISOString(),
    partSize,
    runIds,
    pending: blobs,
    described: [],
    etags: {},
    manifest: null,
  };
  await writeJSON(keys.exportJob(projectId, job.exportId), exportJobDoc, job, { onlyIfNew: true });
  return job;
}

export async function readExportJob(projectId: Id, exportId: Id): Promise<ExportJob> {
  const doc = await readJSON(keys.exportJob(projectId, exportId), exportJobDoc);
  if (!doc) throw new ExportNotFoundError(exportId);
  if (Date.parse(doc.value.expiresAt) < Date.now())
    throw new AppError(410, 'export_expired', `Export ${exportId} expired at ${doc.value.expiresAt}; start a new one.`);
  return doc.value;
}

/**
 * Starts an export, or carries one on: hashes blobs until the time budget is
 * spent, saving what is done, so each call stays well inside a function's
 * limits whatever the project's size. Ready once every blob is described.
 */
export async function prepareExport(
  projectId: Id,
  options: { exportId?: Id; partSize?: number; budgetMs: number; onBlob?: (done: number, total: number) => void },
): Promise<ExportJob> {
  const started = Date.now();
  let job = options.exportId
    ? await readExportJob(projectId, options.exportId)
    : await startExport(projectId, options.partSize ?? DEFAULT_PART_SIZE);
  if (job.manifest) return job;
  const described = [...job.described];
  const etags = { ...job.etags };
  let next = 0;
  while (next < job.pending.length && Date.now() - started < options.budgetMs) {
    const found = await describeBlob(job.pending[next]!);
    // A blob deleted since the listing (retention, a deleted photo) is simply not exported.
    if (found) {
      described.push(found.blob);
      if (found.etag) etags[entryName(found.blob)] = found.etag;
    }
    next++;
    options.onBlob?.(described.length, described.length + job.pending.length - next);
  }
  job = { ...job, pending: job.pending.slice(next), described, etags };
  if (job.pending.length === 0) {
    const { manifest } = await finalizeManifest({
      format: 'sirtrav-export',
      version: 2,
      exportId: job.exportId,
      projectId: job.projectId,
      createdAt: job.createdAt,
      partSize: job.partSize,
      runIds: job.runIds,
      blobs: described,
    });
    job = { ...job, described: [], manifest };
  }
  await writeJSON(keys.exportJob(projectId, job.exportId), exportJobDoc, job);
  return job;
}

export const exportProgress = (job: ExportJob) => {
  const done = job.manifest ? job.manifest.blobs.length : job.described.length;
  return { done, total: done + job.pending.length };
};

/** The bytes of the archive from `start` (inclusive) to `end` (exclusive), as tar-stream writes them. */
function archiveRange(
  manifest: ExportManifest,
  manifestJson: Buffer,
  layout: Layout,
  start: number,
  end: number,
): Readable {
  const first = layout.entries.findIndex((entry) => entry.end > start);
  const pack = tar.pack();
  const mtime = new Date(manifest.createdAt);
  const feed = async () => {
    for (let i = Math.max(0, first); i < layout.entries.length && layout.entries[i]!.offset < end; i++) {
      const entry = layout.entries[i]!;
      if (i < FIRST_BLOB_ENTRY) {
        const body = i === 0 ? manifestJson : signManifest(manifestJson);
        await new Promise<void>((resolve, reject) =>
          pack.entry(tarHeader(entry.name, body.byteLength, mtime), body, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
        continue;
      }
      const blob = manifest.blobs[i - FIRST_BLOB_ENTRY]!;
      const stored = await openStore(storeIdOf(blob.store)).get(blob.key, { type: 'stream', consistency: 'strong' });
      if (!stored) throw new ExportStaleError(entryName(blob));
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(tarHeader(entry.name, blob.size, mtime), (error) =>
          error ? reject(error) : resolve(),
        );
        writeAll(sink, stored as ReadableStream<Uint8Array>).catch(reject);
      });
    }
    if (end >= layout.totalBytes) pack.finalize();
  };
  feed().catch((error: unknown) => pack.destroy(error as Error));
  const skip = start - (layout.entries[first]?.offset ?? start);
  return Readable.from(slice(pack as AsyncIterable<Buffer>, skip, end - start), { objectMode: false });
}

/** Copies a web stream into a tar entry, honouring back-pressure. */
export async function writeAll(sink: ReturnType<tar.Pack['entry']>, source: ReadableStream<Uint8Array>): Promise<void> {
  const reader = source.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!sink.write(value)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
  sink.end(null);
}

async function* slice(source: AsyncIterable<Buffer>, skip: number, length: number): AsyncGenerator<Buffer> {
  let position = 0;
  const stop = skip + length;
  for await (const chunk of source) {
    const from = Math.max(0, skip - position);
    const to = Math.min(chunk.byteLength, stop - position);
    position += chunk.byteLength;
    if (to > from) yield chunk.subarray(from, to);
    if (position >= stop) return;
  }
  if (position < stop) throw new Error(`The archive ended ${stop - position} bytes early.`);
}

export class ExportStaleError extends AppError {
  constructor(what: string) {
    super(409, 'export_stale', `${what} changed or disappeared after the export was prepared; start a new export.`);
    this.name = 'ExportStaleError';
  }
}

/**
 * Part `n` of a ready export: bytes `n × partSize` up to the next part, so the
 * parts joined in order are one tar file. Blobs are checked against the
 * manifest's metadata and the etags they were hashed at first, so a changed
 * project answers 409 rather than a broken part.
 */
export async function exportPart(
  projectId: Id,
  exportId: Id,
  n: number,
): Promise<{ stream: Readable; bytes: number; manifest: ExportManifest }> {
  const job = await readExportJob(projectId, exportId);
  const manifest = job.manifest;
  if (!manifest)
    throw new AppError(
      409,
      'export_not_ready',
      `Export ${exportId} is still being prepared; call GET …/export?exportId=${exportId} until it is ready.`,
    );
  if (n >= manifest.parts)
    throw new AppError(
      416,
      'part_out_of_range',
      `Export ${exportId} has ${manifest.parts} parts (0 to ${manifest.parts - 1}); part ${n} does not exist.`,
    );
  const json = Buffer.from(JSON.stringify(manifest));
  const layout = await planLayout(json.byteLength, manifest.blobs);
  const start = n * manifest.partSize;
  const end = Math.min(layout.totalBytes, start + manifest.partSize);
  for (let i = FIRST_BLOB_ENTRY; i < layout.entries.length; i++) {
    const entry = layout.entries[i]!;
    if (entry.end <= start || entry.offset >= end) continue;
    const blob = manifest.blobs[i - FIRST_BLOB_ENTRY]!;
    const current = await openStore(storeIdOf(blob.store)).getMetadata(blob.key, { consistency: 'strong' });
    // Its etag tells a changed body too (a document's metadata carries its hash; a binary's may not): a blob
    // rewritten with the same metadata would otherwise stream bytes of another length under its header, and the
    // joined archive would not read. The local server gives no etags; there the metadata alone is compared.
    const etag = job.etags[entry.name];
    if (
      !current ||
      JSON.stringify(current.metadata) !== JSON.stringify(blob.metadata) ||
      (etag !== undefined && current.etag !== etag)
    )
      throw new ExportStaleError(entry.name);
  }
  return { stream: archiveRange(manifest, json, layout, start, end), bytes: end - start, manifest };
}
