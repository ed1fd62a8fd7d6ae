import type { z } from 'zod';
import { httpError } from './errors.js';

export const JSON_BODY_LIMIT = 64 * 1024;

/**
 * Reads a request body, refusing it from Content-Length before reading when it
 * is too large, and stopping as soon as a body without one passes the limit.
 */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
  tooLargeHint = '',
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    httpError(
      413,
      'payload_too_large',
      `Request body is larger than ${maxBytes} bytes.${tooLargeHint ? ` ${tooLargeHint}` : ''}`,
      { limit: maxBytes },
    );
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]!.buffer instanceof ArrayBuffer) return chunks[0] as Uint8Array<ArrayBuffer>;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Parses a JSON body against a schema. An empty body counts as `{}` so that
 * routes whose fields are all optional accept a bare POST.
 */
export async function readJson<S extends z.ZodType>(
  request: Request,
  schema: S,
  maxBytes = JSON_BODY_LIMIT,
): Promise<z.infer<S>> {
  const bytes = await readBodyBytes(request, maxBytes);
  let value: unknown = {};
  if (bytes.byteLength > 0) {
    const type = mediaType(request);
    if (type !== 'application/json' && !type.endsWith('+json')) {
      throw httpError(
        415,
        'unsupported_media_type',
        `Send JSON with Content-Type: application/json (got "${type || 'none'}").`,
      );
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw httpError(400, 'invalid_json', 'Request body is not valid UTF-8.');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw httpError(400, 'invalid_json', 'Request body is not valid JSON.');
    }
  }
  return schema.parse(value);
}
