import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import {
  exportManifestSchema,
  importedSummarySchema,
  importStatusSchema,
  type StartImportBody,
} from '../schemas/portability.js';
import { exportKeySchema } from './signing.js';
import {
  defineDocument,
  deleteKey,
  getBinary,
  idSchema,
  keys,
  listKeyPages,
  putBinary,
  readJSON,
  updateJSON,
  UNCHANGED,
  type Id,
} from '../storage/index.js';

/** Import parts travel in requests, so each must fit Netlify's 6 MB (base64) request limit. */
export const IMPORT_PART_SIZE = 4 * 1024 * 1024;
const IMPORT_TTL_MS = 7 * 24 * 3600 * 1000;

/** Decided once, before the first write: where each id of the archive goes. */
const importPlanSchema = z.object({
  projectId: idSchema,
  newProject: z.boolean(),
  runMap: z.record(z.string(), idSchema),
  /** Indexes (into manifest.blobs) not written, with why. */
  skipped: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  /** The project record of a new project is written last: until then the project does not exist. */
  projectRecordIndex: z.number().int().nullable(),
});
export type ImportPlan = z.infer<typeof importPlanSchema>;

export const importSessionSchema = z.object({
  importId: idSchema,
  status: importStatusSchema,
  bytes: z.number().int().positive(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  requestedProjectId: idSchema.nullable(),
  /** Another site's export key this import trusts besides this site's own (given with the request). */
  exportKey: exportKeySchema.nullable().default(null),
  /** The export key whose signature of the manifest was verified. */
  signedBy: exportKeySchema.nullable().default(null),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  manifest: exportManifestSchema.nullable(),
  /** Blobs checked against the manifest so far (in manifest order). */
  verified: z.number().int().nonnegative(),
  plan: importPlanSchema.nullable(),
  /** Blobs written into the project so far (in manifest order). */
  committed: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).nullable(),
  summary: importedSummarySchema.nullable(),
});
export type ImportSession = z.infer<typeof importSessionSchema>;
export const importSessionDoc = defineDocument({ name: 'import-session', version: 1, schema: importSessionSchema });

export async function startImport(body: StartImportBody): Promise<ImportSession> {
  const now = Date.now();
  const partCount = Math.ceil(body.bytes / IMPORT_PART_SIZE);
  if (partCount > 10_000)
    throw new AppError(413, 'archive_too_large', `An import takes at most 10000 parts of ${IMPORT_PART_SIZE} bytes.`);
  const session: ImportSession = {
    importId: newId('i'),
    status: 'uploading',
    bytes: body.bytes,
    partSize: IMPORT_PART_SIZE,
    partCount,
    requestedProjectId: body.projectId ?? null,
    exportKey: body.exportKey ?? null,
    signedBy: null,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + IMPORT_TTL_MS).toISOString(),
    manifest: null,
    verified: 0,
    plan: null,
    committed: 0,
    error: null,
    summary: null,
  };
  await updateJSON(keys.importSession(session.importId), importSessionDoc, () => session);
  return session;
}

const importNotFound = (importId: Id) => new AppError(404, 'import_not_found', `Import ${importId} does not exist.`);

export async function requireImport(importId: Id): Promise<ImportSession> {
  const doc = await readJSON(keys.importSession(importId), importSessionDoc);
  if (!doc) throw importNotFound(importId);
  return doc.value;
}

/** Saves a session's progress with compare-and-swap: two callers cannot both move it on. */
export async function saveImport(
  importId: Id,
  change: (current: ImportSession) => ImportSession | typeof UNCHANGED,
): Promise<ImportSession> {
  const saved = await updateJSON(keys.importSession(importId), importSessionDoc, (current) => {
    if (!current) throw importNotFound(importId);
    return change(current);
  });
  return saved!;
}

const expectedPartBytes = (session: ImportSession, n: number) =>
  n === session.partCount - 1 ? session.bytes - n * session.partSize : session.partSize;

/** Stores part `n` of the archive (any order; sending a part again replaces it until the import is verified). */
export async function putImportPart(
  importId: Id,
  n: number,
  read: (limit: number) => Promise<Uint8Array>,
): Promise<{ n: number; bytes: number }> {
  const session = await requireImport(importId);
  if (session.status !== 'uploading')
    throw new AppError(
      409,
      'import_not_uploading',
      `Import ${importId} is ${session.status}; parts can no longer change.`,
    );
  if (n >= session.partCount)
    throw new AppError(
      400,
      'invalid_part',
      `Import ${importId} has ${session.partCount} parts (0 to ${session.partCount - 1}).`,
    );
  const expected = expectedPartBytes(session, n);
  const bytes = await read(session.partSize);
  if (bytes.byteLength !== expected)
    throw new AppError(
      400,
      'wrong_part_size',
      `Part ${n} must be exactly ${expected} bytes; got ${bytes.byteLength}.`,
      {
        details: { expected, got: bytes.byteLength },
      },
    );
  await putBinary(keys.importPart(importId, n), bytes, { bytes: bytes.byteLength });
  return { n, bytes: bytes.byteLength };
}

/** The part numbers not received yet (one listing). */
export async function missingParts(session: ImportSession): Promise<number[]> {
  const have = new Set<number>();
  const prefix = `${keys.importPrefix(session.importId)}parts/`;
  for await (const page of listKeyPages('runs', prefix))
    for (const key of page) have.add(Number(key.slice(prefix.length)));
  return Array.from({ length: session.partCount }, (_, n) => n).filter((n) => !have.has(n));
}

/** The staged archive from byte `offset` on, one part in memory at a time. */
export function stagedArchive(session: ImportSession, offset: number): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    for (let n = Math.floor(offset / session.partSize); n < session.partCount; n++) {
      const part = await getBinary(keys.importPart(session.importId, n));
      if (!part || part.data.byteLength !== expectedPartBytes(session, n))
        throw new AppError(
          409,
          'import_part_missing',
          `Part ${n} of import ${session.importId} is missing or damaged; send it again.`,
        );
      const from = n === Math.floor(offset / session.partSize) ? offset - n * session.partSize : 0;
      yield Buffer.from(part.data.buffer, part.data.byteOffset + from, part.data.byteLength - from);
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

/** Removes the staged parts (after a commit, a refusal or a roll-back); the session record stays as the audit trail. */
export async function dropStagedParts(importId: Id): Promise<void> {
  for await (const page of listKeyPages('runs', `${keys.importPrefix(importId)}parts/`)) {
    for (const key of page) await deleteKey('runs', key);
  }
}
