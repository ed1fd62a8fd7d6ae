import { z } from 'zod';
import { defineDocument, openStore, readJSON, updateJSON, writeJSON, type BlobRef } from '../src/storage/index.js';
import { median, percentile, printTable, timeEach } from './stats.js';

const ITERATIONS = 300;
const smallDoc = defineDocument({ name: 'bench', version: 1, schema: z.object({ n: z.number(), label: z.string() }) });
const value = (n: number) => ({ n, label: 'a small run-state sized document' });

/** Small-document latency: bare setJSON+get, the codec path, and a compare-and-swap update. */
export async function benchStorage(): Promise<void> {
  const store = openStore('runs');
  const ref: BlobRef = { store: 'runs', key: 'bench/codec.json', maxBytes: 1 << 20 };
  const casRef: BlobRef = { store: 'runs', key: 'bench/cas.json', maxBytes: 1 << 20 };

  // Warm up connections and code paths.
  await timeEach(20, async (i) => {
    await store.setJSON('bench/bare.json', value(i));
    await writeJSON(ref, smallDoc, value(i));
    await updateJSON(casRef, smallDoc, () => value(i));
  });

  const bare = await timeEach(ITERATIONS, async (i) => {
    await store.setJSON('bench/bare.json', value(i));
    await store.get('bench/bare.json', { type: 'json', consistency: 'strong' });
  });
  const codec = await timeEach(ITERATIONS, async (i) => {
    await writeJSON(ref, smallDoc, value(i));
    await readJSON(ref, smallDoc);
  });
  const cas = await timeEach(ITERATIONS, (i) =>
    updateJSON(casRef, smallDoc, (current) => ({ n: (current?.n ?? 0) + 1, label: `update ${i}` })),
  );

  const base = median(bare);
  printTable(`Storage: small document, ${ITERATIONS} iterations, local Blobs server`, [
    { name: 'bare setJSON + get', median: base, p99: percentile(bare, 99) },
    {
      name: 'codec writeJSON + readJSON (hash, metadata, schema)',
      median: median(codec),
      p99: percentile(codec, 99),
      ratio: median(codec) / base,
    },
    {
      name: 'updateJSON (read etag + body, conditional write)',
      median: median(cas),
      p99: percentile(cas, 99),
      ratio: median(cas) / base,
    },
  ]);
}
