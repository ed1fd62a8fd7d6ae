import { readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setEnvironmentContext } from '@netlify/blobs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startBlobsSandbox } from '../../src/server/blobs-sandbox.js';
import {
  CorruptBlobError,
  defineDocument,
  encodeDocument,
  getMetadata,
  listKeyPages,
  readJSON,
  updateJSON,
  writeJSON,
  type BlobRef,
} from '../../src/storage/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';
import { blobFiles, readMetadataFile, tearBlob, type Tear } from '../helpers/tear.js';

const sandbox = useBlobsSandbox();

const stepDoc = defineDocument({
  name: 'step',
  version: 1,
  schema: z.object({ step: z.number().int(), text: z.string() }),
  metaOf: (value) => ({ step: value.step }),
});
const ref = (key: string): BlobRef => ({ store: 'runs', key: `torn/${key}`, maxBytes: 1 << 20 });

/** A document at step 1, then a write of step 2 torn as `tear` describes. */
async function tornDocument(key: string, tear: Tear, text = 'hello') {
  const at = ref(key);
  await writeJSON(at, stepDoc, { step: 1, text });
  const now = new Date().toISOString();
  const next = encodeDocument(stepDoc, { step: 2, text }, { createdAt: now, updatedAt: now });
  await tearBlob({ directory: sandbox.directory, ref: at, tear, next: { body: next.body, metadata: next.meta } });
  return { at, next };
}

describe('a document a kill tore between its body and its metadata', () => {
  it.each([
    ['body-only', 2],
    ['half-metadata', 2],
    ['no-metadata', 2],
    ['metadata-only', 1],
  ] as const)(
    '%s: reads as its whole body (step %i), and its metadata is written again to match',
    async (tear, step) => {
      const { at } = await tornDocument(`read-${tear}`, tear);
      const doc = await readJSON(at, stepDoc);
      expect(doc?.value).toEqual({ step, text: 'hello' });
      const metadata = await getMetadata(at);
      expect(metadata).toMatchObject({ type: 'step', step, sha256: doc!.meta.sha256, updatedAt: doc!.meta.updatedAt });
      expect(JSON.parse((await readMetadataFile(sandbox.directory, at))!)).toMatchObject({ step });
    },
  );

  it.each(['half-metadata', 'no-metadata'] as const)(
    '%s: a HEAD read answers the blob without metadata instead of an error or "missing"',
    async (tear) => {
      const { at } = await tornDocument(`head-${tear}`, tear);
      const started = Date.now();
      expect(await getMetadata(at)).toEqual({});
      // The blobs client waits 5 s before each retry of a 500: none happened.
      expect(Date.now() - started).toBeLessThan(4000);
    },
  );

  it.each(['body-only', 'half-metadata', 'no-metadata', 'metadata-only'] as const)(
    '%s: an update goes on from the body',
    async (tear) => {
      const { at } = await tornDocument(`update-${tear}`, tear);
      const expected = tear === 'metadata-only' ? 2 : 3;
      const next = await updateJSON(at, stepDoc, (current) => ({ step: current!.step + 1, text: current!.text }));
      expect(next).toEqual({ step: expected, text: 'hello' });
      expect((await readJSON(at, stepDoc))?.value.step).toBe(expected);
      expect(await getMetadata(at)).toMatchObject({ step: expected });
    },
  );
});

describe('a body cut short', () => {
  it('is refused at once with CorruptBlobError, never returned, and stays refused until replaced', async () => {
    const { at } = await tornDocument('truncated', 'truncated-body', 'x'.repeat(6000));
    const started = Date.now();
    const error = await readJSON(at, stepDoc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptBlobError);
    expect(error).toMatchObject({ reason: 'gzip', status: 500 });
    expect(Date.now() - started).toBeLessThan(4000);
    await expect(updateJSON(at, stepDoc, (current) => current ?? { step: 0, text: '' })).rejects.toBeInstanceOf(
      CorruptBlobError,
    );
  });

  it('an update that may replace damage is given the damage and the advisory metadata, and its result is stored', async () => {
    const { at } = await tornDocument('replaced', 'truncated-body', 'y'.repeat(6000));
    let seen: unknown = null;
    const next = await updateJSON(
      at,
      stepDoc,
      (current, _meta, damaged) => {
        seen = { current, reason: damaged?.error.reason, step: damaged?.metadata.step };
        return { step: Number(damaged?.metadata.step) + 1, text: 'rebuilt' };
      },
      { replaceDamaged: true },
    );
    expect(seen).toEqual({ current: null, reason: 'gzip', step: 2 });
    expect(next).toEqual({ step: 3, text: 'rebuilt' });
    expect((await readJSON(at, stepDoc))?.value).toEqual({ step: 3, text: 'rebuilt' });
  });

  it('a body written before bodies were sealed, beside stale metadata, is refused as a hash failure', async () => {
    const at = ref('legacy');
    await writeJSON(at, stepDoc, { step: 1, text: 'old' });
    const files = blobFiles(sandbox.directory, at);
    await writeFile(files.data, JSON.stringify({ step: 2, text: 'old' }));
    const error = await readJSON(at, stepDoc).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CorruptBlobError', reason: 'hash' });
  });

  it('a sealed body checks its own header: a changed payload byte is a hash failure whatever the metadata says', async () => {
    const at = ref('flipped');
    await writeJSON(at, stepDoc, { step: 1, text: 'abcdef' });
    const files = blobFiles(sandbox.directory, at);
    const body = new Uint8Array(await readFile(files.data));
    body[body.byteLength - 4] = body[body.byteLength - 4]! ^ 0x01;
    await writeFile(files.data, body);
    const started = Date.now();
    await expect(readJSON(at, stepDoc)).rejects.toMatchObject({ name: 'CorruptBlobError', reason: 'hash' });
    // Not read again and again as a torn write of an older body is: a sealed body has no second file to wait for.
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('a body the server never renamed into place', () => {
  it('is swept when a sandbox starts on the directory, so no listing shows it as a key', async () => {
    const at = ref('leftover/doc.json');
    await writeJSON(at, stepDoc, { step: 1, text: 'kept' });
    const leftover = `${dirname(blobFiles(sandbox.directory, at).data)}/.k3x9q2mz`;
    await writeFile(leftover, 'half a body');
    const listed = async () => {
      const found: string[] = [];
      for await (const page of listKeyPages('runs', 'torn/leftover/')) found.push(...page);
      return found.sort();
    };
    expect(await listed()).toEqual(['torn/leftover/.k3x9q2mz', 'torn/leftover/doc.json']);
    const second = await startBlobsSandbox(sandbox.directory);
    await second.stop();
    const current = sandbox.current;
    setEnvironmentContext({
      siteID: current.siteID,
      token: current.token,
      edgeURL: current.url,
      uncachedEdgeURL: current.url,
    });
    expect(await readdir(dirname(leftover))).toEqual(['doc.json']);
    expect(await listed()).toEqual(['torn/leftover/doc.json']);
  });
});
