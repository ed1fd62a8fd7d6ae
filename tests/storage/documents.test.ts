import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BlobTooLargeError,
  CorruptBlobError,
  STORE_IDS,
  defineDocument,
  encodeDocument,
  deleteBlob,
  getBinary,
  getMetadata,
  keys,
  listKeyPages,
  openStore,
  parseId,
  putBinary,
  readJSON,
  updateJSON,
  writeJSON,
  type BlobRef,
  type StoreId,
} from '../../src/storage/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';

useBlobsSandbox();

const noteDoc = defineDocument({ name: 'note', version: 1, schema: z.object({ text: z.string(), n: z.number() }) });
const counterDoc = defineDocument({ name: 'counter', version: 1, schema: z.object({ count: z.number().int() }) });
const p = parseId('proj_1');
const r = parseId('run_1');

function testRef(store: StoreId, key: string, maxBytes = 10 * 1024 * 1024): BlobRef {
  return { store, key, maxBytes };
}

async function allKeys(store: StoreId, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of listKeyPages(store, prefix)) found.push(...page);
  return found;
}

describe('documents in every store', () => {
  it.each(STORE_IDS)('writes, reads, lists and deletes in %s', async (store) => {
    const ref = testRef(store, `test/${store}/doc.json`);
    await writeJSON(ref, noteDoc, { text: `hello ${store}`, n: 1 });
    const doc = await readJSON(ref, noteDoc);
    expect(doc?.value).toEqual({ text: `hello ${store}`, n: 1 });
    expect(doc?.meta).toMatchObject({ type: 'note', version: 1, encoding: 'json' });
    expect(await allKeys(store, `test/${store}/`)).toEqual([`test/${store}/doc.json`]);
    await deleteBlob(ref);
    expect(await readJSON(ref, noteDoc)).toBeNull();
    expect(await allKeys(store, `test/${store}/`)).toEqual([]);
  });

  it.each(STORE_IDS)('stores bytes with metadata in %s', async (store) => {
    const ref = testRef(store, `test/${store}/bytes.bin`);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await putBinary(ref, bytes, { contentType: 'application/octet-stream', createdAt: '2026-01-01T00:00:00.000Z' });
    const back = await getBinary(ref);
    expect([...back!.data]).toEqual([...bytes]);
    expect(await getMetadata(ref)).toEqual({
      contentType: 'application/octet-stream',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await deleteBlob(ref);
    expect(await getBinary(ref)).toBeNull();
  });

  it('gzips large documents and records hash, size and times in metadata', async () => {
    const ref = testRef('runs', 'test/large.json');
    const text = 'storyboard '.repeat(2000);
    await writeJSON(ref, noteDoc, { text, n: 2 });
    const raw = await openStore('runs').getWithMetadata(ref.key, { type: 'arrayBuffer' });
    expect(raw!.metadata).toMatchObject({ encoding: 'gzip', type: 'note' });
    expect(raw!.data.byteLength).toBeLessThan(text.length / 10);
    const doc = await readJSON(ref, noteDoc);
    expect(doc!.value.text).toBe(text);
    expect(doc!.meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(doc!.meta.createdAt)).toBeLessThanOrEqual(Date.parse(doc!.meta.updatedAt));
  });

  it('keeps createdAt across updates and moves updatedAt', async () => {
    const ref = testRef('runs', 'test/times.json');
    await updateJSON(ref, counterDoc, () => ({ count: 1 }));
    const first = (await readJSON(ref, counterDoc))!.meta;
    await sleep(5);
    await updateJSON(ref, counterDoc, (current) => ({ count: (current?.count ?? 0) + 1 }));
    const second = (await readJSON(ref, counterDoc))!.meta;
    expect(second.createdAt).toBe(first.createdAt);
    expect(Date.parse(second.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
  });
});

describe('corruption is detected, never returned', () => {
  async function tamper(ref: BlobRef, change: (body: Uint8Array) => Uint8Array) {
    const store = openStore(ref.store);
    const raw = await store.getWithMetadata(ref.key, { type: 'arrayBuffer' });
    const changed = change(new Uint8Array(raw!.data));
    await store.set(ref.key, changed.slice().buffer as ArrayBuffer, { metadata: raw!.metadata });
  }

  it('a flipped byte is a hash failure', async () => {
    const ref = testRef('runs', 'test/flip.json');
    await writeJSON(ref, noteDoc, { text: 'abc', n: 1 });
    await tamper(ref, (body) => {
      const copy = body.slice();
      copy[10] = copy[10]! ^ 0x01;
      return copy;
    });
    const error = await readJSON(ref, noteDoc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptBlobError);
    expect(error).toMatchObject({ reason: 'hash', key: 'test/flip.json', store: 'sirtrav-runs' });
  });

  it('a truncated gzip body is a gzip failure', async () => {
    const ref = testRef('progress', 'test/truncated.json');
    await writeJSON(ref, noteDoc, { text: 'x'.repeat(10_000), n: 1 });
    await tamper(ref, (body) => body.slice(0, body.byteLength - 7));
    await expect(readJSON(ref, noteDoc)).rejects.toMatchObject({ name: 'CorruptBlobError', reason: 'gzip' });
  });

  it('invalid JSON with a matching hash is a JSON failure', async () => {
    const ref = testRef('evals', 'test/invalid.json');
    await writeJSON(ref, noteDoc, { text: 'abc', n: 1 });
    const { createHash } = await import('node:crypto');
    const broken = new TextEncoder().encode('{"text": "abc", n: 1');
    const raw = await openStore('evals').getWithMetadata(ref.key, { type: 'arrayBuffer' });
    await openStore('evals').set(ref.key, broken.slice().buffer as ArrayBuffer, {
      metadata: {
        ...raw!.metadata,
        sha256: createHash('sha256').update(broken).digest('hex'),
        bytes: broken.byteLength,
      },
    });
    await expect(readJSON(ref, noteDoc)).rejects.toMatchObject({ name: 'CorruptBlobError', reason: 'json' });
  });

  it('a blob with no metadata is a metadata failure', async () => {
    const ref = testRef('runs', 'test/nometa.json');
    await openStore('runs').set(ref.key, '{"text":"a","n":1}');
    await expect(readJSON(ref, noteDoc)).rejects.toMatchObject({ name: 'CorruptBlobError', reason: 'metadata' });
  });

  it('a document of the wrong shape is a schema failure', async () => {
    const ref = testRef('runs', 'test/shape.json');
    const loose = defineDocument({ name: 'note', version: 1, schema: z.object({ text: z.string() }) });
    await writeJSON(ref, loose, { text: 'no n' });
    await expect(readJSON(ref, noteDoc)).rejects.toMatchObject({ name: 'CorruptBlobError', reason: 'schema' });
  });
});

describe('limits and ids', () => {
  it('refuses an evaluation over 1 KB with a typed error and writes nothing', async () => {
    const ref = keys.evaluation(r);
    const error = await writeJSON(ref, noteDoc, { text: 'x'.repeat(1100), n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobTooLargeError);
    expect(error).toMatchObject({ status: 413, code: 'too_large' });
    expect(await readJSON(ref, noteDoc)).toBeNull();
  });

  it('refuses bytes over the key limit', async () => {
    const ref = testRef('videos', 'test/small.mp4', 4);
    await expect(putBinary(ref, new Uint8Array(5), {})).rejects.toBeInstanceOf(BlobTooLargeError);
  });

  it.each(['../x', 'a/b', '%2e%2e', '', 'a'.repeat(65), 'a b', 'é', 'a\nb', '..'])('rejects id %j', (bad) => {
    expect(() => parseId(bad)).toThrow(/not a valid id/);
    expect(() => keys.runState(bad as never, r)).toThrow();
    expect(() => keys.video(bad as never)).toThrow();
  });

  it('accepts ids at the edge of the pattern', () => {
    expect(parseId('a'.repeat(64))).toBe('a'.repeat(64));
    expect(keys.runState(p, r).key).toBe('projects/proj_1/runs/run_1/state.json');
    expect(keys.video(r).key).toBe('run_1/final.mp4');
    expect(keys.progress(p, r)).toMatchObject({ store: 'progress', key: 'projects/proj_1/runs/run_1/progress.json' });
  });
});

describe('compare-and-swap updates', () => {
  it('50 concurrent increments of one counter end at exactly 50', async () => {
    const ref = testRef('runs', 'test/counter.json');
    await Promise.all(
      Array.from({ length: 50 }, () =>
        updateJSON(ref, counterDoc, (current) => ({ count: (current?.count ?? 0) + 1 })),
      ),
    );
    expect((await readJSON(ref, counterDoc))!.value.count).toBe(50);
  });

  it('a write from outside between read and write makes the update retry on fresh data', async () => {
    const ref = testRef('runs', 'test/race.json');
    await writeJSON(ref, counterDoc, { count: 0 });
    let calls = 0;
    const result = await updateJSON(ref, counterDoc, async (current) => {
      calls++;
      if (calls === 1) {
        // Another instance writes after our read (outside this process's queue): our conditional write must fail.
        await sleep(5);
        const now = new Date().toISOString();
        const { body, meta } = encodeDocument(counterDoc, { count: 100 }, { createdAt: now, updatedAt: now });
        await openStore('runs').set(ref.key, body.slice().buffer as ArrayBuffer, { metadata: meta });
      }
      return { count: (current?.count ?? 0) + 1 };
    });
    expect(calls).toBe(2);
    expect(result).toEqual({ count: 101 });
    expect((await readJSON(ref, counterDoc))!.value.count).toBe(101);
  });
});
