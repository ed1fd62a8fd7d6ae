import { z } from 'zod';
import { AppError } from '../errors.js';
import { sha256Hex } from './codec.js';
import { toArrayBuffer } from './documents.js';
import { BlobTooLargeError } from './errors.js';
import type { Id } from './ids.js';
import { keys } from './keys.js';
import { openStore } from './stores.js';
import type { BlobMetadata } from './binary.js';
import { sliceStream } from './slice-stream.js';

/**
 * Videos are stored in pieces, because Netlify Blobs has no ranged reads: a
 * range of a single 500 MB blob is read from byte 0, past Netlify's 10 s
 * response limit. `{runId}/final.mp4` holds a small index (this schema, as JSON;
 * the video's facts and owner in its metadata, where an import renames ids) and
 * `{runId}/final-pieces/{generation}/{nnnn}` the pieces, so any range reads at
 * most the pieces it touches. A video stored whole before this layout is
 * still served (its metadata has no `layout`).
 */
export const PIECE_BYTES = 8 * 1024 * 1024;

const INDEX_FORMAT = 'sirtrav-video-pieces';

export const pieceIndexSchema = z.object({
  format: z.literal(INDEX_FORMAT),
  version: z.literal(1),
  bytes: z.number().int().nonnegative(),
  pieceBytes: z.number().int().positive(),
  pieces: z.number().int().nonnegative(),
  /** The first 16 hex digits of sha256: the folder of this video's pieces. */
  generation: z.string().regex(/^[0-9a-f]{16}$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().min(1),
});
export type PieceIndex = z.infer<typeof pieceIndexSchema>;

/** Pieces written at once: enough to overlap requests, few enough to keep memory flat. */
const WRITE_CONCURRENCY = 4;

export interface PutVideoOptions {
  runId: Id;
  bytes: Uint8Array;
  /** The video's facts and owner (`projectId`, `runId`, `contentType`, …), kept on the index. */
  metadata: BlobMetadata;
  pieceBytes?: number;
}

/**
 * Stores a video: pieces first, index last, so a reader never finds an index
 * whose pieces are missing. Pieces are named by the video's hash: writing the
 * same video again rewrites identical bytes, and a different one never touches
 * the pieces an older index still points at (repair removes those later).
 */
export async function putVideo({
  runId,
  bytes,
  metadata,
  pieceBytes = PIECE_BYTES,
}: PutVideoOptions): Promise<PieceIndex> {
  const ref = keys.video(runId);
  if (bytes.byteLength > ref.maxBytes) throw new BlobTooLargeError(ref.store, ref.key, bytes.byteLength, ref.maxBytes);
  const sha256 = sha256Hex(bytes);
  const contentType = typeof metadata.contentType === 'string' ? metadata.contentType : 'video/mp4';
  const index: PieceIndex = {
    format: INDEX_FORMAT,
    version: 1,
    bytes: bytes.byteLength,
    pieceBytes,
    pieces: Math.ceil(bytes.byteLength / pieceBytes),
    generation: sha256.slice(0, 16),
    sha256,
    contentType,
  };
  const store = openStore('videos');
  const owner = {
    runId,
    projectId: metadata.projectId ?? null,
    generation: index.generation,
    createdAt: new Date().toISOString(),
  };
  for (let first = 0; first < index.pieces; first += WRITE_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(WRITE_CONCURRENCY, index.pieces - first) }, (_, i) => first + i);
    await Promise.all(
      batch.map((n) => {
        const piece = bytes.subarray(n * pieceBytes, Math.min(bytes.byteLength, (n + 1) * pieceBytes));
        return store.set(keys.videoPiece(runId, index.generation, n).key, toArrayBuffer(piece), {
          metadata: { ...owner, piece: n, bytes: piece.byteLength },
        });
      }),
    );
  }
  const body = new TextEncoder().encode(JSON.stringify(index));
  const indexMetadata = {
    ...metadata,
    bytes: index.bytes,
    layout: 'pieces',
    generation: index.generation,
    pieces: index.pieces,
    storedBytes: body.byteLength,
  };
  await store.set(ref.key, toArrayBuffer(body), { metadata: indexMetadata });
  return index;
}

/** A stored video, ready to be read in ranges (the shape src/http/byte-response.ts serves). */
export interface StoredVideo {
  size: number;
  metadata: Record<string, unknown>;
  /** Whether it is stored in pieces (else as one blob, from before pieces). */
  pieced: boolean;
  /** Where a read starting at `start` should end to open at most two pieces. */
  cheapEnd(start: number): number;
  /** Bytes `start`–`end` (inclusive), or all of them; rejects when the first piece is missing. */
  open(range: { start: number; end: number } | null): Promise<ReadableStream<Uint8Array>>;
  /** Releases what was opened when nothing is read. */
  discard(): Promise<void>;
}

/**
 * The video of a run, in pieces or whole; `null` when it is not stored. One
 * request until something is read. `knownBytes` sizes a whole video stored
 * without `bytes` in its metadata.
 */
export async function openVideo({
  runId,
  knownBytes,
}: {
  runId: Id;
  knownBytes?: number;
}): Promise<StoredVideo | null> {
  const result = await openStore('videos').getWithMetadata(keys.video(runId).key, {
    type: 'stream',
    consistency: 'strong',
  });
  if (!result) return null;
  const stream = result.data as ReadableStream<Uint8Array>;
  if (result.metadata.layout !== 'pieces') {
    const size = typeof result.metadata.bytes === 'number' ? result.metadata.bytes : (knownBytes ?? 0);
    return wholeVideo(stream, size, result.metadata);
  }
  const text = await new Response(stream).text();
  const index = pieceIndexSchema.safeParse(safeJson(text));
  if (!index.success)
    throw new AppError(500, 'corrupt_video_index', `The piece index of run ${runId}'s video cannot be read.`, {
      retryable: false,
    });
  return piecedVideo(runId, index.data, result.metadata);
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

function wholeVideo(stream: ReadableStream<Uint8Array>, size: number, metadata: Record<string, unknown>): StoredVideo {
  return {
    size,
    metadata,
    pieced: false,
    cheapEnd: () => size - 1,
    open: (range) => Promise.resolve(range ? sliceStream(stream, range.start, range.end) : stream),
    discard: () => stream.cancel(),
  };
}

function piecedVideo(runId: Id, index: PieceIndex, metadata: Record<string, unknown>): StoredVideo {
  const { pieceBytes, bytes } = index;
  return {
    size: bytes,
    metadata,
    pieced: true,
    cheapEnd: (start) => Math.min(bytes, (Math.floor(start / pieceBytes) + 2) * pieceBytes) - 1,
    open: async (range) => {
      const { start, end } = range ?? { start: 0, end: bytes - 1 };
      if (end < start) return new Response(new Uint8Array(0)).body!;
      // Opened before the response starts, so a missing piece is an error answer, not a body cut short.
      const opened = await openPiece(runId, index, Math.floor(start / pieceBytes));
      return pieceStream({ runId, index, start, end, opened });
    },
    discard: () => Promise.resolve(),
  };
}

async function openPiece(runId: Id, index: PieceIndex, n: number): Promise<ReadableStream<Uint8Array>> {
  const stream = await openStore('videos').get(keys.videoPiece(runId, index.generation, n).key, {
    type: 'stream',
    consistency: 'strong',
  });
  if (!stream)
    throw new AppError(
      503,
      'video_piece_missing',
      `Piece ${n + 1} of ${index.pieces} of run ${runId}'s video is not stored; repair reports it.`,
      {
        retryable: false,
      },
    );
  return stream as ReadableStream<Uint8Array>;
}

/** Bytes `start`–`end` of a pieced video, one piece open at a time; a piece that ends short fails the stream. */
function pieceStream(options: {
  runId: Id;
  index: PieceIndex;
  start: number;
  end: number;
  opened: ReadableStream<Uint8Array>;
}): ReadableStream<Uint8Array> {
  const { runId, index, start, end } = options;
  const { pieceBytes } = index;
  let n = Math.floor(start / pieceBytes);
  let position = start;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = sliceStream(
    options.opened,
    start - n * pieceBytes,
    Math.min(end, (n + 1) * pieceBytes - 1) - n * pieceBytes,
  ).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          n++;
          const piece = await openPiece(runId, index, n);
          reader = sliceStream(piece, 0, Math.min(end, (n + 1) * pieceBytes - 1) - n * pieceBytes).getReader();
        }
        const { done, value } = await reader.read();
        if (!done) {
          position += value.byteLength;
          return controller.enqueue(value);
        }
        reader = null;
        if (position < Math.min(end + 1, (n + 1) * pieceBytes))
          throw new AppError(500, 'video_piece_short', `Piece ${n + 1} of run ${runId}'s video ends early.`);
        if (position > end) return controller.close();
      }
    },
    cancel: (reason) => reader?.cancel(reason),
  });
}

/** Deletes a video: index first (readers stop finding it), then every piece under the run. */
export async function deleteVideo(runId: Id): Promise<void> {
  const store = openStore('videos');
  await store.delete(keys.video(runId).key);
  for await (const page of store.list({ prefix: keys.videoPiecesPrefix(runId), paginate: true })) {
    for (const blob of page.blobs) await store.delete(blob.key);
  }
}

/** Whether a run's video is stored and readable: a whole video, or an index whose pieces are all there. */
export async function videoIsStored(runId: Id): Promise<boolean> {
  const store = openStore('videos');
  const index = await store.getMetadata(keys.video(runId).key, { consistency: 'strong' });
  if (!index) return false;
  const { layout, generation, pieces } = index.metadata;
  if (layout !== 'pieces') return true;
  if (typeof generation !== 'string' || typeof pieces !== 'number') return false;
  const prefix = keys.videoPiece(runId, generation, 0).key.replace(/[^/]+$/, '');
  let found = 0;
  for await (const page of store.list({ prefix, paginate: true })) found += page.blobs.length;
  return found >= pieces;
}

/** A piece is left to a writer for this long before repair may call it superseded (its index may still be coming). */
const PIECE_GRACE_MS = 3600_000;

/**
 * Whether `key` is a piece no index points at any more: another generation
 * than the run's index names (a video written again with other bytes), older
 * than the grace period.
 */
export async function isSupersededPiece({
  runId,
  key,
  metadata,
  now,
}: {
  runId: Id;
  key: string;
  metadata: Record<string, unknown>;
  now: number;
}): Promise<boolean> {
  if (!key.startsWith(keys.videoPiecesPrefix(runId))) return false;
  const createdAt = typeof metadata.createdAt === 'string' ? Date.parse(metadata.createdAt) : Number.NaN;
  if (!(now - createdAt > PIECE_GRACE_MS)) return false;
  const index = await openStore('videos').getMetadata(keys.video(runId).key, { consistency: 'strong' });
  return index?.metadata.layout === 'pieces' && index.metadata.generation !== metadata.generation;
}

/** A whole video in memory, in pieces or not, shaped like getBinary's answer; `null` when it is not stored. For videos known to be small (and tests). */
export async function getVideo(
  runId: Id,
): Promise<{ data: Uint8Array<ArrayBuffer>; metadata: Record<string, unknown> } | null> {
  const video = await openVideo({ runId });
  if (!video) return null;
  return { data: new Uint8Array(await new Response(await video.open(null)).arrayBuffer()), metadata: video.metadata };
}
