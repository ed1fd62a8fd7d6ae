import pako from 'pako';
import { GZIP_THRESHOLD_BYTES, sha256Hex } from '../storage/index.js';
import { documentMetaSchema } from '../storage/codec.js';

/** Old id → new id, for ids that had to change on import. */
export type IdMap = ReadonlyMap<string, string>;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces whole ids only (an id is never part of a longer id: ids are bounded by characters outside A-Za-z0-9_-). */
export function idReplacer(map: IdMap): (text: string) => string {
  if (map.size === 0) return (text) => text;
  const pattern = new RegExp(`(?<![A-Za-z0-9_-])(${[...map.keys()].map(escape).join('|')})(?![A-Za-z0-9_-])`, 'g');
  return (text) => text.replace(pattern, (id) => map.get(id) ?? id);
}

export function remapValue(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => remapValue(item, replace));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [replace(key), remapValue(item, replace)]));
  return value;
}

/**
 * A blob with its ids changed. Documents (JSON with the codec's metadata) are
 * decoded, changed and encoded again the way src/storage writes them, with a new
 * SHA-256; other blobs keep their bytes and only their metadata changes. With
 * no id to change, bytes and metadata come back untouched.
 */
export function remapBlob(body: Uint8Array, metadata: Record<string, unknown>, map: IdMap): { body: Uint8Array; metadata: Record<string, unknown> } {
  if (map.size === 0) return { body, metadata };
  const replace = idReplacer(map);
  const meta = documentMetaSchema.safeParse(metadata);
  if (!meta.success) return { body, metadata: remapValue(metadata, replace) as Record<string, unknown> };
  const json = meta.data.encoding === 'gzip' ? pako.ungzip(body) : body;
  const value = remapValue(JSON.parse(new TextDecoder().decode(json)), replace);
  const text = new TextEncoder().encode(JSON.stringify(value));
  const gzip = text.byteLength > GZIP_THRESHOLD_BYTES;
  return {
    body: gzip ? pako.gzip(text) : text,
    metadata: {
      ...(remapValue(metadata, replace) as Record<string, unknown>),
      encoding: gzip ? 'gzip' : 'json',
      sha256: sha256Hex(text),
      bytes: text.byteLength,
    },
  };
}
