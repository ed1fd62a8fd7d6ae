import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { RANGE_BYTES, SirTravClient, type ProjectClient } from '../../packages/client/src/index.js';
import { createProject } from '../../src/projects/index.js';
import { putVideo, type Id } from '../../src/storage/index.js';
import { makeCompleteRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
const MiB = 1024 * 1024;
/** More than two responses' worth, and not a multiple of anything. */
const SIZE = 2 * RANGE_BYTES + 5 * MiB + 4321;

describe('videos larger than one response, through the client', () => {
  let source: Uint8Array;
  let runId: Id;
  let project: ProjectClient;
  const ranges: { range: string | null; status: number; contentRange: string | null }[] = [];

  beforeAll(async () => {
    // Random blocks, each piece of the file unlike the others, so a part out of place cannot go unnoticed.
    source = new Uint8Array(SIZE);
    for (let at = 0; at < SIZE; at += MiB) source.set(randomBytes(Math.min(MiB, SIZE - at)), at);
    const { projectId } = await createProject('ranges');
    runId = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    await putVideo({ runId, bytes: source, metadata: { contentType: 'video/mp4', runId, projectId, bytes: SIZE } });
    const recording: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await fetch(request);
      ranges.push({
        range: request.headers.get('range'),
        status: response.status,
        contentRange: response.headers.get('content-range'),
      });
      return response;
    };
    project = new SirTravClient({ baseUrl: server.current.url, fetch: recording }).forProject(projectId);
  }, 120_000);

  it('the server will not send it whole: 400 range_required, naming the size', async () => {
    const response = await fetch(`${server.current.url}/api/projects/${project.projectId}/runs/${runId}/video`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'range_required', details: { bytes: SIZE, maxRangeBytes: RANGE_BYTES } },
    });
  });

  it('downloadVideo() fetches it range after range, each continuing where the last ended, and joins them exactly', async () => {
    ranges.length = 0;
    const bytes = await project.downloadVideo(runId);
    expect(bytes.byteLength).toBe(SIZE);
    expect(Buffer.compare(bytes, source)).toBe(0);
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    let next = 0;
    for (const { range, status, contentRange } of ranges) {
      expect(status).toBe(206);
      expect(range).toBe(`bytes=${next}-${next + RANGE_BYTES - 1}`);
      const [, start, end, total] = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? '')!.map(Number);
      expect([start, total]).toEqual([next, SIZE]);
      next = end! + 1;
    }
    expect(next).toBe(SIZE);
  });

  it('streamVideo() fetches nothing until read, then one range per read, and stops when cancelled', async () => {
    ranges.length = 0;
    const stream = project.streamVideo(runId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ranges).toHaveLength(0);
    const reader = stream.getReader();
    const first = await reader.read();
    expect(ranges).toHaveLength(1);
    expect(Buffer.compare(first.value!, source.subarray(0, first.value!.byteLength))).toBe(0);
    await reader.cancel();
    expect(ranges).toHaveLength(1);

    const whole = await new Response(project.streamVideo(runId)).bytes();
    expect(Buffer.compare(whole, source)).toBe(0);
  });
});
