import { z } from 'zod';
import { idSchema } from './common.js';

/** A site's public export key: `ed25519:` and the key in base64url (see src/portability/signing.ts). */
export const exportKeySchema = z
  .string()
  .regex(/^ed25519:[A-Za-z0-9_-]{43}$/, 'must be an export key: ed25519: followed by 43 base64url characters');

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const storeName = z.enum([
  'sirtrav-videos',
  'sirtrav-audio',
  'sirtrav-media',
  'sirtrav-runs',
  'sirtrav-evals',
  'sirtrav-progress',
]);

/** One blob of an export: where it lived, how big it is, its SHA-256 and its metadata, exactly as stored. */
export const manifestBlobSchema = z.strictObject({
  store: storeName,
  key: z.string().min(1).max(600),
  size: z.number().int().nonnegative(),
  sha256,
  metadata: z.record(z.string(), z.unknown()),
});
export type ManifestBlob = z.infer<typeof manifestBlobSchema>;

/** The first entry (`manifest.json`) of every export archive; the second (`manifest.sig`) is its signature. */
export const exportManifestSchema = z.strictObject({
  format: z.literal('sirtrav-export'),
  version: z.literal(2),
  exportId: idSchema,
  projectId: idSchema,
  createdAt: z.iso.datetime(),
  /** The archive is served as `parts` byte ranges of `partSize` bytes (the last one shorter); joined, they are one tar file. */
  partSize: z.number().int().positive(),
  parts: z.number().int().positive(),
  totalBytes: z.number().int().positive(),
  runIds: z.array(idSchema),
  blobs: z.array(manifestBlobSchema),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

export const exportQuerySchema = z.object({
  /** Continue or download this export (from the descriptor). */
  exportId: idSchema.optional(),
  /** Download part N (0-based) of a ready export. */
  part: z.coerce.number().int().min(0).max(99_999).optional(),
  /** Bytes per part for a new export: a multiple of 512 from 64 KiB to 16 MiB (default, inside the 20 MB response limit). */
  partSize: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(16 * 1024 * 1024)
    .multipleOf(512)
    .optional(),
});

export const exportDescriptorSchema = z.object({
  exportId: idSchema,
  projectId: idSchema,
  status: z.enum(['preparing', 'ready']),
  /** Blobs hashed so far, of `total`. */
  done: z.number().int(),
  total: z.number().int(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  parts: z.number().int().optional(),
  partSize: z.number().int().optional(),
  totalBytes: z.number().int().optional(),
  /** The export key the archive is signed with (this site's). */
  exportKey: exportKeySchema,
  links: z.object({ self: z.string(), parts: z.array(z.string()).optional() }),
});

export const startImportBodySchema = z.strictObject({
  /** Size of the whole archive in bytes. */
  bytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 ** 3),
  /** Import into this project: an existing empty one, or a new one with this id. Default: a new project with a new id. */
  projectId: idSchema.optional(),
  /** The export key of the site that made the archive, when it is not this site (GET /api/admin/export-key there). */
  exportKey: exportKeySchema.optional(),
});
export type StartImportBody = z.infer<typeof startImportBodySchema>;

export const startImportResponseSchema = z.object({
  importId: idSchema,
  partSize: z.number().int(),
  partCount: z.number().int(),
  expiresAt: z.iso.datetime(),
});
export const importPartResponseSchema = z.object({ n: z.number().int(), bytes: z.number().int() });

export const completeImportBodySchema = z.strictObject({ importId: idSchema });
/** With a raw archive: the target project (an existing empty one, or a new one with this id). */
export const importQuerySchema = z.object({ projectId: idSchema.optional(), exportKey: exportKeySchema.optional() });

export const importStatusSchema = z.enum([
  'uploading',
  'verifying',
  'committing',
  'complete',
  'refused',
  'conflict',
  'rolled_back',
]);

export const importedSummarySchema = z.object({
  blobs: z.number().int(),
  bytes: z.number().int(),
  byStore: z.record(z.string(), z.number().int()),
  media: z.number().int(),
  runs: z.number().int(),
  videos: z.number().int(),
  evaluations: z.number().int(),
  /** Ids that had to change because the target site already used them (a conflict is never overwritten). */
  remapped: z.object({
    projectId: z.object({ from: idSchema, to: idSchema }).nullable(),
    runs: z.record(z.string(), idSchema),
  }),
  /** Blobs of the archive left out, and why (e.g. the target's own project record). */
  skipped: z.array(z.object({ store: z.string(), key: z.string(), reason: z.string() })),
});
export type ImportedSummary = z.infer<typeof importedSummarySchema>;

export const importProgressSchema = z.object({
  importId: idSchema,
  status: importStatusSchema,
  projectId: idSchema.nullable(),
  verified: z.number().int(),
  committed: z.number().int(),
  total: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const importResultSchema = z.object({
  projectId: idSchema,
  token: z.string(),
  /** The project's new webhook signing secret (secrets are never imported): in the answer that completes the import only, null after. */
  webhookSecret: z.string().nullable(),
  imported: importedSummarySchema,
});

export const exportKeyResponseSchema = z.object({
  /** Give this to another site's admin: their imports of this site's archives pass it as exportKey. */
  exportKey: exportKeySchema,
  /** True when this site has no SIRTRAV_API_SECRET: the key is the public local one, which proves integrity but not origin. */
  local: z.boolean(),
});
