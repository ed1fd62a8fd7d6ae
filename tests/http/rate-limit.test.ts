import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { takeReadToken } from '../../src/http/rate-limit.js';
import { createProject } from '../../src/projects/index.js';
import { errorBodySchema } from '../../src/schemas/error.js';
import { keys, parseId, putBinary } from '../../src/storage/index.js';
import { makeCompleteRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
afterEach(() => vi.unstubAllEnvs());

/** The 429 a call throws, or null when it passes. */
function refusal(call: () => void): { status: number; headers: Record<string, string>; details: unknown } | null {
  try {
    call();
    return null;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { status: error.status, headers: error.headers, details: error.details };
  }
}

describe('read limits', () => {
  it('a bucket holds a minute of requests per client, refills steadily, and is off at 0', () => {
    vi.stubEnv('SIRTRAV_RATE_BYTES_PER_MIN', '3');
    const request = (ip: string) => new Request('http://127.0.0.1/x', { headers: { 'x-nf-client-connection-ip': ip } });
    const take = (ip: string, now: number) => () =>
      takeReadToken({ request: request(ip), principal: { kind: 'link' }, limit: 'bytes', now });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(refusal(take('198.51.100.1', t0))).toBeNull();
    const refused = refusal(take('198.51.100.1', t0 + 1));
    // 3 a minute: one more token in 20 s.
    expect(refused).toEqual({
      status: 429,
      headers: { 'Retry-After': '20' },
      details: { limit: 3, windowSec: 60, retryAfterSec: 20 },
    });
    // Another client, and the same client's other limit, have their own buckets.
    expect(refusal(take('198.51.100.2', t0))).toBeNull();
    expect(
      refusal(() =>
        takeReadToken({ request: request('198.51.100.1'), principal: { kind: 'link' }, limit: 'reads', now: t0 }),
      ),
    ).toBeNull();
    expect(refusal(take('198.51.100.1', t0 + 20_001))).toBeNull();
    expect(refusal(take('198.51.100.1', t0 + 20_002))?.status).toBe(429);
    // A project token is counted by its project, whatever the address.
    const project = { kind: 'project', projectId: parseId('p_limited') } as const;
    for (let i = 0; i < 3; i++)
      takeReadToken({ request: request(`203.0.113.${i}`), principal: project, limit: 'bytes', now: t0 });
    expect(
      refusal(() => takeReadToken({ request: request('203.0.113.9'), principal: project, limit: 'bytes', now: t0 }))
        ?.status,
    ).toBe(429);
    vi.stubEnv('SIRTRAV_RATE_BYTES_PER_MIN', '0');
    expect(refusal(take('198.51.100.1', t0 + 20_003))).toBeNull();
  });

  it('the video route answers 429 in the error shape with Retry-After once a client has used its downloads; other reads go on', async () => {
    vi.stubEnv('SIRTRAV_RATE_BYTES_PER_MIN', '2');
    const { projectId } = await createProject('limited');
    const runId = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    await putBinary(keys.video(runId), new Uint8Array(1000).fill(1), {
      contentType: 'video/mp4',
      runId,
      projectId,
      bytes: 1000,
    });
    const headers = { 'x-nf-client-connection-ip': '192.0.2.44' };
    const video = `${server.current.url}/api/projects/${projectId}/runs/${runId}/video`;
    expect((await fetch(video, { headers })).status).toBe(200);
    expect((await fetch(video, { headers, method: 'HEAD' })).status).toBe(200);
    const refused = await fetch(video, { headers });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = errorBodySchema.parse(await refused.json());
    expect(body.error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect((await fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}`, { headers })).status).toBe(
      200,
    );
    expect((await fetch(video, { headers: { 'x-nf-client-connection-ip': '192.0.2.45' } })).status).toBe(200);
  });

  it('OpenAPI documents the 429 and its Retry-After on every GET', async () => {
    const document = (await (await fetch(`${server.current.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    };
    const gets = Object.entries(document.paths).flatMap(([path, item]) =>
      item.get ? [[path, item.get] as const] : [],
    );
    expect(gets.length).toBeGreaterThan(10);
    for (const [path, get] of gets) expect(get.responses['429']?.headers, path).toHaveProperty('Retry-After');
  });
});
