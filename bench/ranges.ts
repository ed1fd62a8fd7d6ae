import { createProject } from '../src/projects/index.js';
import type { LocalServer } from '../src/server/local-server.js';
import { retryLocalReadFailures } from '../src/storage/local-fetch.js';
import { useBlobsFetch } from '../src/storage/stores.js';
import { keys, putBinary, putVideo, type Id } from '../src/storage/index.js';
import { makeCompleteRun } from '../tests/helpers/runs.js';
import { fmt, median, percentile, printTable, timeEach } from './stats.js';

const MiB = 1024 * 1024;

/** Bytes the Blobs client receives from sirtrav-videos while `task` runs. */
async function blobBytesOf(task: () => Promise<unknown>): Promise<number> {
  let bytes = 0;
  useBlobsFetch(async (input, init) => {
    const response = await retryLocalReadFailures(input, init);
    if (!String(input instanceof Request ? input.url : input).includes('sirtrav-videos') || !response.body)
      return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          bytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, headers: response.headers });
  });
  try {
    await task();
  } finally {
    useBlobsFetch(retryLocalReadFailures);
  }
  return bytes;
}

/**
 * Head and tail ranges of a large video over HTTP: stored in pieces (today)
 * and as one blob (before pieces, still served). SIRTRAV_BENCH_VIDEO_MB sets
 * the size (default 500).
 */
export async function benchRanges(server: LocalServer): Promise<void> {
  const size = Number(process.env.SIRTRAV_BENCH_VIDEO_MB ?? 500) * MiB;
  const video = new Uint8Array(size);
  for (let at = 0; at < size; at += 4096) video[at] = at % 251;
  const { projectId } = await createProject('bench-ranges');
  const pieced = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
  const whole = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
  const metadata = (runId: Id) => ({ contentType: 'video/mp4', runId, projectId, bytes: size });
  await putVideo({ runId: pieced, bytes: video, metadata: metadata(pieced) });
  await putBinary(keys.video(whole), video, metadata(whole));

  const get = async (runId: Id, range: string) => {
    const response = await fetch(`${server.url}/api/projects/${projectId}/runs/${runId}/video`, { headers: { range } });
    if (response.status !== 206) throw new Error(`range ${range}: ${response.status}`);
    await response.arrayBuffer();
  };
  const head = `bytes=0-${4 * MiB - 1}`;
  const tail = `bytes=${size - 4 * MiB}-`;
  const cases = [
    { name: 'pieces, head range (first 4 MiB)', runId: pieced, range: head, iterations: 20 },
    { name: 'pieces, tail range (last 4 MiB)', runId: pieced, range: tail, iterations: 20 },
    { name: 'one blob, head range (before pieces)', runId: whole, range: head, iterations: 2 },
    { name: 'one blob, tail range (before pieces)', runId: whole, range: tail, iterations: 2 },
  ];
  const rows = [];
  const read: string[] = [];
  for (const { name, runId, range, iterations } of cases) {
    await get(runId, range);
    const samples = await timeEach(iterations, () => get(runId, range));
    rows.push({ name, median: median(samples), p99: percentile(samples, 99) });
    read.push(`${name}: ${fmt((await blobBytesOf(() => get(runId, range))) / MiB, 1)} MiB read from Blobs`);
  }
  const base = rows[0]!.median;
  printTable(
    `Ranges of a ${size / MiB} MiB video over HTTP, local Blobs server`,
    rows.map((row, i) => (i === 0 ? row : { ...row, ratio: row.median / base })),
  );
  for (const line of read) console.log(`- ${line}`);
}
