import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { openStore } from '../src/storage/index.js';
import type { LocalServer } from '../src/server/local-server.js';
import { fmt, median } from './stats.js';

const ROUNDS = 3;

async function phonePhoto(): Promise<Buffer> {
  return sharp(randomBytes(4000 * 3000 * 3), { raw: { width: 4000, height: 3000, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function chunkedUpload(server: LocalServer, projectId: string, photo: Buffer): Promise<void> {
  const api = `${server.url}/api/projects/${projectId}`;
  const started = await fetch(`${api}/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ filename: 'IMG.JPG', bytes: photo.byteLength }),
  });
  const { uploadId, partSize, partCount } = (await started.json()) as {
    uploadId: string;
    partSize: number;
    partCount: number;
  };
  // Three parts in flight at once, as the typed client sends them.
  const queue = [...Array(partCount).keys()];
  const sender = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const response = await fetch(`${api}/uploads/${uploadId}/parts/${n}`, {
        method: 'PUT',
        body: new Uint8Array(photo.subarray(n * partSize, (n + 1) * partSize)),
      });
      if (!response.ok) throw new Error(`part ${n}: ${response.status}`);
    }
  };
  await Promise.all([sender(), sender(), sender()]);
  const done = await fetch(`${api}/uploads/${uploadId}/complete`, { method: 'POST' });
  if (done.status !== 201) throw new Error(`complete: ${done.status} ${await done.text()}`);
}

/** A 12 MB photo through the chunked HTTP route (parts, assembly, checks, store) against one bare Blobs `set`. */
export async function benchMedia(server: LocalServer): Promise<void> {
  const created = await fetch(`${server.url}/api/projects`, { method: 'POST' });
  const { projectId } = (await created.json()) as { projectId: string };
  const photos = await Promise.all(Array.from({ length: ROUNDS + 1 }, phonePhoto));
  const store = openStore('media');
  await store.set('bench/warm', new Uint8Array(photos[0]!).buffer);

  const chunked: number[] = [];
  const bare: number[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    const photo = photos[i]!;
    let t = performance.now();
    await chunkedUpload(server, projectId, photo);
    chunked.push(photo.byteLength / 1e6 / ((performance.now() - t) / 1000));
    t = performance.now();
    await store.set(`bench/bare-${i}`, new Uint8Array(photo).buffer);
    bare.push(photo.byteLength / 1e6 / ((performance.now() - t) / 1000));
  }
  const mb = photos[1]!.byteLength / 1e6;
  console.log(`\n## Upload: ${fmt(mb)} MB photo, ${ROUNDS} rounds, median`);
  console.log('| path | MB/s | ratio |');
  console.log('|---|---|---|');
  console.log(`| bare Blobs set of the same bytes | ${fmt(median(bare))} | 1.00 (baseline) |`);
  console.log(
    `| chunked HTTP upload (4 MiB parts, 3 in flight, assemble, SHA-256, decode check, EXIF, store) | ${fmt(median(chunked))} | ${fmt(median(chunked) / median(bare))} |`,
  );
}
