import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { openStore, STORE_IDS, STORE_NAMES, type StoreId } from '../storage/index.js';
import { silentProgress, type ProgressReporter } from './progress-reporter.js';

/**
 * A backup directory:
 * - `index.jsonl`: one line per blob (store, key, size, SHA-256, metadata, file), appended
 *   as soon as the blob's file is complete: the checkpoint a resumed backup skips from;
 * - `blobs/{store}/{hh}/{sha256(key)}`: the bytes (named by key hash: any key, no path tricks);
 * - `backup.json`: written last, with counts and the index's SHA-256: the backup is complete.
 */
export const backupLineSchema = z.strictObject({
  store: z.enum(STORE_IDS as [StoreId, ...StoreId[]]),
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  metadata: z.record(z.string(), z.unknown()),
  file: z.string().regex(/^blobs\/[a-z]+\/[0-9a-f]{2}\/[0-9a-f]{64}$/),
});
export type BackupLine = z.infer<typeof backupLineSchema>;

export const backupSummarySchema = z.object({
  format: z.literal('sirtrav-backup'),
  version: z.literal(1),
  completedAt: z.iso.datetime(),
  stores: z.record(z.string(), z.object({ blobs: z.number().int(), bytes: z.number().int() })),
  blobs: z.number().int(),
  bytes: z.number().int(),
  indexSha256: z.string(),
});
export type BackupSummary = z.infer<typeof backupSummarySchema>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const fileFor = (store: StoreId, key: string) => {
  const hash = sha256(`${store}\n${key}`);
  return `blobs/${store}/${hash.slice(0, 2)}/${hash}`;
};
const lineId = (store: string, key: string) => `${store}\n${key}`;

/** The lines of an index file, streamed; a torn last line (a crash mid-append) is ignored. */
export async function* readIndex(directory: string): AsyncGenerator<BackupLine> {
  let input: Readable;
  try {
    input = createReadStream(join(directory, 'index.jsonl'));
    await new Promise((resolve, reject) => input.once('open', resolve).once('error', reject));
  } catch {
    return;
  }
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    yield backupLineSchema.parse(value);
  }
}

async function countBlobs(): Promise<number> {
  let total = 0;
  for (const store of STORE_IDS)
    for await (const page of openStore(store).list({ paginate: true })) total += page.blobs.length;
  return total;
}

/** Copies one blob to its file (via a temp file and a rename, so a file is whole or absent) and hashes it. */
async function copyBlob(directory: string, store: StoreId, key: string): Promise<BackupLine | null> {
  const result = await openStore(store).getWithMetadata(key, { type: 'stream', consistency: 'strong' });
  if (!result) return null;
  const file = fileFor(store, key);
  const path = join(directory, file);
  await mkdir(dirname(path), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const source = Readable.fromWeb(result.data as import('node:stream/web').ReadableStream<Uint8Array>);
  source.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.byteLength;
  });
  await pipeline(source, createWriteStream(`${path}.part`));
  await rename(`${path}.part`, path);
  return { store, key, size, sha256: hash.digest('hex'), metadata: result.metadata, file };
}

/**
 * Backs up every store of the site into `directory`, a listing page at a time.
 * Run it again after an interruption: blobs already in the index are skipped.
 * A blob that changes during the backup is copied as it was when read.
 */
export async function backupSite(
  directory: string,
  progress: ProgressReporter = silentProgress,
): Promise<BackupSummary> {
  await mkdir(directory, { recursive: true });
  const done = new Set<string>();
  const stores: BackupSummary['stores'] = Object.fromEntries(
    STORE_IDS.map((s) => [STORE_NAMES[s], { blobs: 0, bytes: 0 }]),
  );
  let bytes = 0;
  for await (const line of readIndex(directory)) {
    done.add(lineId(line.store, line.key));
    stores[STORE_NAMES[line.store]]!.blobs++;
    stores[STORE_NAMES[line.store]]!.bytes += line.size;
    bytes += line.size;
  }
  progress.start('backup', await countBlobs());
  let count = done.size;
  progress.update(count, bytes, done.size > 0 ? `resumed after ${done.size}` : undefined);
  for (const store of STORE_IDS) {
    for await (const page of openStore(store).list({ paginate: true })) {
      for (const { key } of page.blobs) {
        if (done.has(lineId(store, key))) continue;
        const line = await copyBlob(directory, store, key);
        if (!line) continue;
        await appendFile(join(directory, 'index.jsonl'), `${JSON.stringify(line)}\n`);
        done.add(lineId(store, key));
        stores[STORE_NAMES[store]]!.blobs++;
        stores[STORE_NAMES[store]]!.bytes += line.size;
        bytes += line.size;
        progress.update(++count, bytes);
      }
    }
  }
  progress.stop();
  const indexSha256 = await hashFile(join(directory, 'index.jsonl'));
  const summary: BackupSummary = {
    format: 'sirtrav-backup',
    version: 1,
    completedAt: new Date().toISOString(),
    stores,
    blobs: count,
    bytes,
    indexSha256,
  };
  await writeFile(join(directory, 'backup.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** SHA-256 and size of a file, streamed; an absent file is empty. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return hash.digest('hex');
}
