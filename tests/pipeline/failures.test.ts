import { afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { readFailure } from '../../src/failures/episodes.js';
import type { RunState } from '../../src/schemas/run.js';
import type { Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
afterEach(() => vi.unstubAllEnvs());

async function failingRun(api: (path: string) => string) {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ durationSec: 5, resolution: '360p' }),
  });
  const { runId, links } = (await response.json()) as { runId: string; links: { progress: string } };
  const final = (await followProgress(links.progress, { onEvent: () => undefined })) as Extract<
    RunState,
    { status: 'failed' }
  >;
  return { runId, final };
}

describe('a failed run', () => {
  it('records a classified failure episode and points at similar earlier failures', async () => {
    vi.stubEnv('FFMPEG_PATH', '/nonexistent/bin/ffmpeg');
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 600);

    const first = await failingRun(api);
    expect(first.final.status).toBe('failed');
    expect(first.final.error).toMatchObject({
      code: 'ffmpeg_missing',
      errorClass: 'configuration',
      severity: 'critical',
      retryable: false,
      similarFailures: [],
    });
    const episode = await readFailure(projectId as Id, first.runId as Id);
    expect(episode).toMatchObject({
      runId: first.runId,
      error_class: 'configuration',
      severity: 'critical',
      code: 'ffmpeg_missing',
    });
    expect(episode!.goal).toBeTruthy();
    expect(episode!.error_trace).toContain('PipelineError');
    expect(episode!.environment_info).toMatchObject({ node: process.version });

    const second = await failingRun(api);
    expect(second.final.error.similarFailures?.[0]).toMatchObject({ runId: first.runId, similarity: 1 });

    const body = JSON.stringify(await (await fetch(api(`/runs/${second.runId}`))).json());
    expect(body).not.toContain('/nonexistent');
    expect(body).not.toMatch(/\s+at .+\(.+:\d+:\d+\)/);
  });
});
