import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
import { z } from 'zod';
import { CorruptBlobError } from './errors.js';
import type { BlobRef } from './keys.js';

/** Documents whose JSON is larger than this are stored gzip-compressed. */
export const GZIP_THRESHOLD_BYTES = 4096;

/**
 * What a stored document carries in blob metadata, so integrity can be checked
 * and retention can decide by age without downloading the body.
 */
export const documentMetaSchema = z.looseObject({
  type: z.string(),
  version: z.number().int().positive(),
  encoding: z.enum(['json', 'gzip']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type DocumentMeta = z.infer<typeof documentMetaSchema>;

/** A kind of JSON document: its name, current schema version and shape. */
export interface DocumentType<T> {
  readonly name: string;
  readonly version: number;
  readonly schema: z.ZodType<T>;
  /** Turns a document written by an older version into the current shape. */
  readonly migrate?: (value: unknown, fromVersion: number) => unknown;
  /** Facts copied into blob metadata so they can be read without the body (e.g. a run's status). */
  readonly metaOf?: (value: T) => Record<string, string | number | boolean | null>;
}

export function defineDocument<T>(
  name: string,
  version: number,
  schema: z.ZodType<T>,
  migrate?: DocumentType<T>['migrate'],
  metaOf?: DocumentType<T>['metaOf'],
): DocumentType<T> {
  return { name, version, schema, ...(migrate ? { migrate } : {}), ...(metaOf ? { metaOf } : {}) };
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export interface EncodedDocument {
  body: Uint8Array;
  meta: DocumentMeta;
}

export function encodeDocument<T>(type: DocumentType<T>, value: T, times: { createdAt: string; updatedAt: string }): EncodedDocument {
  const json = new TextEncoder().encode(JSON.stringify(value));
  const gzip = json.byteLength > GZIP_THRESHOLD_BYTES;
  return {
    body: gzip ? pako.gzip(json) : json,
    meta: {
      ...type.metaOf?.(value),
      type: type.name,
      version: type.version,
      encoding: gzip ? 'gzip' : 'json',
      sha256: sha256Hex(json),
      bytes: json.byteLength,
      createdAt: times.createdAt,
      updatedAt: times.updatedAt,
    },
  };
}

/** Checks metadata, compression, hash, JSON and shape, in that order; any failure is a CorruptBlobError. */
export function decodeDocument<T>(type: DocumentType<T>, ref: BlobRef, body: ArrayBuffer, rawMeta: unknown): { value: T; meta: DocumentMeta } {
  const corrupt = (reason: ConstructorParameters<typeof CorruptBlobError>[2], detail: string) => new CorruptBlobError(ref.store, ref.key, reason, detail);

  const parsedMeta = documentMetaSchema.safeParse(rawMeta);
  if (!parsedMeta.success) throw corrupt('metadata', 'metadata is missing or malformed');
  const meta = parsedMeta.data;
  if (meta.type !== type.name) throw corrupt('metadata', `expected a ${type.name} document, found ${meta.type}`);

  // A document is never larger than its key allows, so neither is what its gzip may inflate to: a bomb stops here.
  if (meta.bytes > ref.maxBytes) throw corrupt('size', `declares ${meta.bytes} bytes; at most ${ref.maxBytes} are allowed`);
  let json: Uint8Array = new Uint8Array(body);
  if (meta.encoding === 'gzip') {
    try {
      json = gunzipSync(json, { maxOutputLength: Math.max(1, meta.bytes) });
    } catch (error) {
      throw corrupt('gzip', `cannot decompress: ${String((error as Error)?.message ?? error)}`);
    }
  }
  if (json.byteLength !== meta.bytes || sha256Hex(json) !== meta.sha256) throw corrupt('hash', 'content does not match its SHA-256');

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw corrupt('json', 'content is not valid JSON');
  }
  if (meta.version > type.version) throw corrupt('schema', `written by a newer schema (v${meta.version} > v${type.version})`);
  if (meta.version < type.version) {
    if (!type.migrate) throw corrupt('schema', `v${meta.version} has no migration to v${type.version}`);
    raw = type.migrate(raw, meta.version);
  }
  const shaped = type.schema.safeParse(raw);
  if (!shaped.success)
    throw corrupt(
      'schema',
      shaped.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    );
  return { value: shaped.data, meta };
}
