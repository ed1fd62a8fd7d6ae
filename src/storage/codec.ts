import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
import { z } from 'zod';
import { CorruptBlobError, type CorruptionReason } from './errors.js';
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

export function defineDocument<T>(type: DocumentType<T>): DocumentType<T> {
  return type;
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export interface EncodedDocument {
  body: Uint8Array;
  meta: DocumentMeta;
}

/**
 * A document's body starts with this, then its header (the same fields as
 * DocumentMeta) as one line of JSON, then the payload. The local Blobs server
 * replaces a body atomically but writes its metadata as a second file: a kill
 * in between leaves a whole body beside stale, missing or half-written
 * metadata. So the body checks itself and metadata is only an advisory copy
 * for listings and HEAD reads (see docs/adr/0001-self-verifying-documents.md).
 */
const SEAL = new TextEncoder().encode('SIRTRAV-DOC/1 ');
const NEWLINE = 0x0a;
/** A header is a few hundred bytes; a body with no newline this far in is not sealed. */
const MAX_HEADER_BYTES = 2048;

const headerSchema = documentMetaSchema.pick({
  type: true,
  version: true,
  encoding: true,
  sha256: true,
  bytes: true,
  createdAt: true,
  updatedAt: true,
});
export type DocumentHeader = z.infer<typeof headerSchema>;

export function encodeDocument<T>(
  type: DocumentType<T>,
  value: T,
  times: { createdAt: string; updatedAt: string },
): EncodedDocument {
  const json = new TextEncoder().encode(JSON.stringify(value));
  return sealPayload(json, { type: type.name, version: type.version, ...times }, type.metaOf?.(value));
}

/** Seals a document's JSON: payload (gzipped above the threshold), header, and the metadata copy with `facts`. */
export function sealPayload(
  json: Uint8Array,
  about: Pick<DocumentHeader, 'type' | 'version' | 'createdAt' | 'updatedAt'>,
  facts: Record<string, unknown> = {},
): EncodedDocument {
  const gzip = json.byteLength > GZIP_THRESHOLD_BYTES;
  const payload = gzip ? pako.gzip(json) : json;
  const header: DocumentHeader = {
    ...about,
    encoding: gzip ? 'gzip' : 'json',
    sha256: sha256Hex(json),
    bytes: json.byteLength,
  };
  const line = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
  const body = new Uint8Array(SEAL.byteLength + line.byteLength + payload.byteLength);
  body.set(SEAL, 0);
  body.set(line, SEAL.byteLength);
  body.set(payload, SEAL.byteLength + line.byteLength);
  return { body, meta: { ...facts, ...header } };
}

/** Whether a body checks itself (written since bodies were sealed). */
export const isSealed = (bytes: Uint8Array) =>
  bytes.byteLength >= SEAL.byteLength && SEAL.every((byte, i) => bytes[i] === byte);

type Corrupt = (reason: CorruptionReason, detail: string) => Error;

/** A sealed body's header and payload; null for a body written before bodies were sealed. */
function unseal(bytes: Uint8Array, corrupt: Corrupt): { header: DocumentHeader; payload: Uint8Array } | null {
  if (!isSealed(bytes)) return null;
  const end = bytes.subarray(0, MAX_HEADER_BYTES).indexOf(NEWLINE);
  if (end < 0) throw corrupt('header', 'the document header has no end');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(SEAL.byteLength, end)));
  } catch {
    throw corrupt('header', 'the document header is not valid JSON');
  }
  const header = headerSchema.safeParse(parsed);
  if (!header.success) throw corrupt('header', 'the document header is malformed');
  return { header: header.data, payload: bytes.subarray(end + 1) };
}

/**
 * A document's JSON and header without checking them: a sealed body's own,
 * else (a body written before sealing) the metadata's. Null when the blob is
 * not a document. For code that rewrites documents wholesale (imports).
 */
export function openDocument(body: Uint8Array, rawMeta: unknown): { json: Uint8Array; header: DocumentHeader } | null {
  const sealed = unseal(body, (reason, detail) => new Error(`${reason}: ${detail}`));
  const legacy = sealed ? null : headerSchema.safeParse(rawMeta);
  const header = sealed?.header ?? (legacy?.success ? legacy.data : null);
  if (!header) return null;
  const payload = sealed?.payload ?? body;
  return { json: header.encoding === 'gzip' ? pako.ungzip(payload) : payload, header };
}

/** Whether blob metadata is a faithful copy of a document's header (false when a crash left it stale or torn). */
export function metadataMatches(header: DocumentHeader, rawMeta: unknown): boolean {
  const meta = documentMetaSchema.safeParse(rawMeta);
  return (
    meta.success &&
    meta.data.type === header.type &&
    meta.data.sha256 === header.sha256 &&
    meta.data.updatedAt === header.updatedAt
  );
}

/**
 * Checks header, compression, hash, JSON and shape, in that order; any failure
 * is a CorruptBlobError. A sealed body is checked against its own header and
 * its metadata is ignored; an older body against its metadata.
 */
export function decodeDocument<T>(
  type: DocumentType<T>,
  ref: BlobRef,
  body: ArrayBuffer,
  rawMeta: unknown,
): { value: T; meta: DocumentMeta } {
  const corrupt = (reason: CorruptionReason, detail: string) =>
    new CorruptBlobError(ref.store, ref.key, reason, detail);
  const bytes = new Uint8Array(body);
  const sealed = unseal(bytes, corrupt);
  let meta: DocumentMeta;
  if (sealed) meta = sealed.header;
  else {
    const parsedMeta = documentMetaSchema.safeParse(rawMeta);
    if (!parsedMeta.success) throw corrupt('metadata', 'metadata is missing or malformed');
    meta = parsedMeta.data;
  }
  if (meta.type !== type.name)
    throw corrupt(sealed ? 'header' : 'metadata', `expected a ${type.name} document, found ${meta.type}`);

  // A document is never larger than its key allows, so neither is what its gzip may inflate to: a bomb stops here.
  if (meta.bytes > ref.maxBytes)
    throw corrupt('size', `declares ${meta.bytes} bytes; at most ${ref.maxBytes} are allowed`);
  let json: Uint8Array = sealed?.payload ?? bytes;
  if (meta.encoding === 'gzip') {
    try {
      json = gunzipSync(json, { maxOutputLength: Math.max(1, meta.bytes) });
    } catch (error) {
      throw corrupt('gzip', `cannot decompress: ${String((error as Error)?.message ?? error)}`);
    }
  }
  if (json.byteLength !== meta.bytes || sha256Hex(json) !== meta.sha256)
    throw corrupt('hash', 'content does not match its SHA-256');
  return { value: parsePayload(type, json, meta.version, corrupt), meta };
}

function parsePayload<T>(type: DocumentType<T>, json: Uint8Array, version: number, corrupt: Corrupt): T {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw corrupt('json', 'content is not valid JSON');
  }
  if (version > type.version) throw corrupt('schema', `written by a newer schema (v${version} > v${type.version})`);
  if (version < type.version) {
    if (!type.migrate) throw corrupt('schema', `v${version} has no migration to v${type.version}`);
    raw = type.migrate(raw, version);
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
  return shaped.data;
}
