import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/index.js';
import {
  deleteVideo,
  isSupersededPiece,
  keys,
  openStore,
  openVideo,
  PIECE_BYTES,
  putBinary,
  putVideo,
  videoIsStored,
  type Id,
} from '../../src/storage/index.js';
import { retryLocalReadFailures } from '../../src/storage/local-fetch.js';
import { useBlobsFetch } from '../../src/storage/stores.js';
import { makeCompleteRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
const MiB = 1024 * 1024;

/** What the function read from sirtrav-videos: requests and body bytes per key. */
interface Reads {
  keys: string[];
  bytes: number;
}

/** Counts every byte the Blobs client receives from sirtrav-videos (GET bodies), key by key. */
function observeVideoReads(): Reads {
  const reads: Reads = { keys: [], bytes: 0 };
  useBlobsFetch(async (input, init) => {
    const response = await retryLocalReadFailures(input, init);
    const url = decodeURIComponent(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method !== 'GET' || !url.includes('sirtrav-videos') || !response.body) return response;
    reads.keys.push(url.slice(url.indexOf('sirtrav-videos/') + 'sirtrav-videos/'.length));
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          reads.bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  });
  return reads;
}
afterEach(() => useBlobsFetch(retryLocalReadFailures));

/** Pseudo-random bytes, quick to make at any size (a repeated random block, offset so no two pieces are alike). */
function syntheticVideo(size: number): Uint8Array {
  const block = randomBytes(MiB + 7);
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += block.byteLength)
    bytes.set(block.subarray(0, Math.min(block.byteLength, size - at)), at);
  return bytes;
}

const pieceReads = (reads: Reads) => reads.keys.filter((key) => key.includes('/final-pieces/'));

describe('videos stored in pieces', () => {
  const SIZE = 80 * MiB + 12_345;
  let source: Uint8Array;
  let projectId: Id;
  let runId: Id;
  let videoUrl: string;

  beforeAll(async () => {
    source = syntheticVideo(SIZE);
    ({ projectId } = await createProject('pieces'));
    runId = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    await putVideo({ runId, bytes: source, metadata: { contentType: 'video/mp4', runId, projectId, bytes: SIZE } });
    videoUrl = `${server.current.url}/api/projects/${projectId}/runs/${runId}/video`;
  }, 120_000);

  it('stores an index at {runId}/final.mp4 and the pieces beside it', async () => {
    const listed: string[] = [];
    for await (const page of openStore('videos').list({ prefix: `${runId}/`, paginate: true }))
      listed.push(...page.blobs.map((b) => b.key));
    const pieces = Math.ceil(SIZE / PIECE_BYTES);
    expect(listed.filter((key) => key.includes('/final-pieces/'))).toHaveLength(pieces);
    expect(listed).toContain(keys.video(runId).key);
    // Key order puts the pieces first: a copy in key order (export, import) writes the index last.
    expect(listed.sort().at(-1)).toBe(keys.video(runId).key);
    const head = await fetch(videoUrl, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(SIZE));
  });

  it('a tail range reads at most two pieces from Blobs and serves exactly the same bytes as the source', async () => {
    for (const [range, start, end] of [
      [`bytes=${SIZE - 1000}-`, SIZE - 1000, SIZE - 1],
      ['bytes=-5000000', SIZE - 5_000_000, SIZE - 1],
      // Open-ended mid-video: up to the end of the next piece (two pieces, at most 16 MiB).
      [`bytes=${70 * MiB + 3}-`, 70 * MiB + 3, 80 * MiB - 1],
      [`bytes=${PIECE_BYTES - 10}-${PIECE_BYTES + 9}`, PIECE_BYTES - 10, PIECE_BYTES + 9],
    ] as const) {
      const reads = observeVideoReads();
      const response = await fetch(videoUrl, { headers: { range } });
      expect(response.status, range).toBe(206);
      const body = new Uint8Array(await response.arrayBuffer());
      expect(response.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(Buffer.compare(body, source.subarray(start, end + 1)), range).toBe(0);
      const pieces = pieceReads(reads);
      expect(pieces.length, range).toBeLessThanOrEqual(2);
      // The index and at most two pieces: not the 70 MB before the range.
      expect(reads.bytes, range).toBeLessThanOrEqual(2 * PIECE_BYTES + 4096);
    }
  }, 120_000);

  it('a head range reads no more than a tail range; a whole large video without Range is still an actionable 400', async () => {
    const reads = observeVideoReads();
    const head = await fetch(videoUrl, { headers: { range: 'bytes=0-' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-${2 * PIECE_BYTES - 1}/${SIZE}`);
    expect(Buffer.compare(new Uint8Array(await head.arrayBuffer()), source.subarray(0, 2 * PIECE_BYTES))).toBe(0);
    expect(pieceReads(reads)).toHaveLength(2);
    const whole = await fetch(videoUrl);
    expect(whole.status).toBe(400);
    expect(((await whole.json()) as { error: { code: string } }).error.code).toBe('range_required');
  }, 60_000);

  it('a write that fails part-way leaves the earlier video whole and served', async () => {
    const other = syntheticVideo(3 * PIECE_BYTES + 5);
    let puts = 0;
    useBlobsFetch(async (input, init) => {
      const method = (init?.method ?? 'GET').toUpperCase();
      if (
        method === 'PUT' &&
        String(input instanceof Request ? input.url : input).includes('final-pieces') &&
        ++puts === 2
      )
        return new Response('injected failure', { status: 403 });
      return retryLocalReadFailures(input, init);
    });
    await expect(
      putVideo({ runId, bytes: other, metadata: { contentType: 'video/mp4', runId, projectId } }),
    ).rejects.toThrow();
    useBlobsFetch(retryLocalReadFailures);
    const tail = await fetch(videoUrl, { headers: { range: 'bytes=-100' } });
    expect(Buffer.compare(new Uint8Array(await tail.arrayBuffer()), source.subarray(SIZE - 100))).toBe(0);
    expect(await videoIsStored(runId)).toBe(true);
  }, 60_000);
});

describe('rewrites, missing pieces, deletion and videos stored whole', () => {
  async function completeRun(): Promise<{ projectId: Id; runId: Id; url: string }> {
    const { projectId } = await createProject('pieces');
    const runId = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    return { projectId, runId, url: `${server.current.url}/api/projects/${projectId}/runs/${runId}/video` };
  }

  it('a video stored whole before pieces is still served, in ranges too', async () => {
    const { runId, url } = await completeRun();
    const bytes = syntheticVideo(100_000);
    await putBinary(keys.video(runId), bytes, { contentType: 'video/mp4', runId, bytes: bytes.byteLength });
    expect((await openVideo({ runId }))?.pieced).toBe(false);
    const whole = await fetch(url);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(new Uint8Array(await whole.arrayBuffer()), bytes)).toBe(0);
    const part = await fetch(url, { headers: { range: 'bytes=99990-' } });
    expect(part.headers.get('content-range')).toBe('bytes 99990-99999/100000');
    expect(Buffer.compare(new Uint8Array(await part.arrayBuffer()), bytes.subarray(99_990))).toBe(0);
  });

  it('writing other bytes uses a new generation; the old pieces are superseded only after the grace period', async () => {
    const { projectId, runId, url } = await completeRun();
    const first = syntheticVideo(2 * MiB);
    const second = syntheticVideo(2 * MiB);
    const a = await putVideo({
      runId,
      bytes: first,
      metadata: { contentType: 'video/mp4', runId, projectId },
      pieceBytes: MiB,
    });
    const b = await putVideo({
      runId,
      bytes: second,
      metadata: { contentType: 'video/mp4', runId, projectId },
      pieceBytes: MiB,
    });
    expect(a.generation).not.toBe(b.generation);
    const served = await fetch(url);
    expect(Buffer.compare(new Uint8Array(await served.arrayBuffer()), second)).toBe(0);
    const oldKey = keys.videoPiece(runId, a.generation, 0).key;
    const metadata = (await openStore('videos').getMetadata(oldKey))!.metadata;
    const newKey = keys.videoPiece(runId, b.generation, 0).key;
    const newMetadata = (await openStore('videos').getMetadata(newKey))!.metadata;
    const later = Date.now() + 2 * 3600_000;
    expect(await isSupersededPiece({ runId, key: oldKey, metadata, now: Date.now() })).toBe(false);
    expect(await isSupersededPiece({ runId, key: oldKey, metadata, now: later })).toBe(true);
    expect(await isSupersededPiece({ runId, key: newKey, metadata: newMetadata, now: later })).toBe(false);
  });

  it('a missing piece is an error answer, never a body cut short; deleting removes index and pieces', async () => {
    const { projectId, runId, url } = await completeRun();
    const bytes = syntheticVideo(3 * MiB);
    const index = await putVideo({
      runId,
      bytes,
      metadata: { contentType: 'video/mp4', runId, projectId },
      pieceBytes: MiB,
    });
    await openStore('videos').delete(keys.videoPiece(runId, index.generation, 2).key);
    expect(await videoIsStored(runId)).toBe(false);
    const response = await fetch(url, { headers: { range: `bytes=${2 * MiB}-` } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('video_piece_missing');
    await deleteVideo(runId);
    expect((await openStore('videos').list({ prefix: `${runId}/` })).blobs).toEqual([]);
    expect(await videoIsStored(runId)).toBe(false);
  });
});
