import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesMatching } from '../../scripts/chaos/processes.js';
import { createRunState, newRun, storyboardDoc } from '../../src/runs/index.js';
import { readSegmentStatus, segmentPlanDoc } from '../../src/pipeline/index.js';
import { newId } from '../../src/new-id.js';
import { frameSize, type RunState } from '../../src/schemas/run.js';
import { keys, parseId, writeJSON } from '../../src/storage/index.js';
import { LOCAL_BLOBS_ENV } from '../../src/storage/local-fetch.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');
const server = useLocalServer();

describe('a render process never outlives the invocation that started it', () => {
  it('a SIGKILLed host takes its segment process and that process its ffmpeg', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 3, 800);
    // A storyboard to render: a short run's, drawn at 1080p, as one segment.
    const response = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"durationSec":6,"resolution":"360p"}',
    });
    const { runId: plannedBy } = (await response.json()) as { runId: string };
    let planned: RunState | undefined;
    await waitFor(
      'the short run',
      async () => (planned = (await (await fetch(api(`/runs/${plannedBy}`))).json()) as RunState).status === 'complete',
      120_000,
    );
    const project = parseId(projectId);
    const runId = newId('r');
    await createRunState(newRun({ projectId: project, runId, request: {}, mediaIds: [] }));
    const storyboard = {
      ...planned!.storyboard!,
      resolution: '1080p' as const,
      ...frameSize('1080p', planned!.storyboard!.aspect),
    };
    await writeJSON(keys.runStoryboard(project, runId), storyboardDoc, storyboard);
    const segment = { index: 0, from: 0, to: 180 };
    await writeJSON(keys.segmentPlan(project, runId), segmentPlanDoc, {
      totalFrames: 180,
      fps: 30,
      width: 1920,
      height: 1080,
      segments: [segment],
      createdAt: new Date().toISOString(),
    });

    const host = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'tests/fixtures/render-host.ts'), projectId, runId, '0'],
      {
        cwd: ROOT,
        env: { ...process.env, [LOCAL_BLOBS_ENV]: '1' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((done) => host.on('exit', () => done()));
    await waitFor(
      'the segment to be rendering',
      async () => ((await readSegmentStatus(project, runId, 0))?.framesDone ?? 0) > 0,
      120_000,
    );
    const marker = `--sirtrav-segment ${projectId} ${runId}`;
    const renderer = await processesMatching(marker, 'node');
    const encoders = await processesMatching(`sirtrav-compose-${renderer[0]?.pid}-`);
    expect(renderer).toHaveLength(1);
    expect(encoders).toHaveLength(1);

    // Only the host is killed, as Netlify ends an invocation: nothing else tells the render process to stop.
    host.kill('SIGKILL');
    await exited;
    await waitFor(
      'the render process and its ffmpeg to end',
      async () =>
        (await processesMatching(marker, 'node')).length === 0 &&
        (await processesMatching(`sirtrav-compose-${renderer[0]!.pid}-`)).length === 0,
      10_000,
    );
    expect((await readSegmentStatus(project, runId, 0))?.state).toBe('rendering');
  }, 240_000);
});
