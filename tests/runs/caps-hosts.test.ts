import { setTimeout as sleep } from 'node:timers/promises';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, Host } from '../../scripts/chaos/host.js';
import { readRunState, runSlotHolders } from '../../src/runs/index.js';
import { isTerminal } from '../../src/schemas/run.js';
import { startBlobsSandbox, type BlobsSandbox } from '../../src/server/blobs-sandbox.js';
import type { Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';

/**
 * Three `npm start` processes share one Blobs server, as function instances
 * share a site's stores: any of them may serve any request, and nothing held
 * in one process's memory (its per-key write queue) protects the others.
 */
let work = '';
let blobs: BlobsSandbox;
const hosts: Host[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sirtrav-caps-'));
  blobs = await startBlobsSandbox(join(work, 'blobs'));
  // An ffmpeg that answers after a few seconds with an error: each run fails ffmpeg_missing in its own pipeline process, after the burst.
  const ffmpeg = join(work, 'slow-missing-ffmpeg');
  await writeFile(ffmpeg, '#!/bin/sh\nsleep 5\nexit 1\n');
  await chmod(ffmpeg, 0o755);
  const context = Buffer.from(
    JSON.stringify({ siteID: blobs.siteID, token: blobs.token, edgeURL: blobs.url, uncachedEdgeURL: blobs.url }),
  ).toString('base64');
  for (let i = 0; i < 3; i++) {
    const host = new Host({
      port: await freePort(),
      logFile: join(work, `host-${i}.log`),
      env: {
        NETLIFY_BLOBS_CONTEXT: context,
        SIRTRAV_MAX_ACTIVE_RUNS: '3',
        SIRTRAV_API_SECRET: '',
        SIRTRAV_ADMIN_TOKEN: '',
        FFMPEG_PATH: ffmpeg,
        LOG_LEVEL: 'warn',
      },
    });
    hosts.push(host);
  }
  await Promise.all(hosts.map((host) => host.start()));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.stop()));
  await blobs?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

async function start(url: string, projectId: string) {
  const response = await fetch(`${url}/api/projects/${projectId}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ durationSec: 4, resolution: '360p', narration: false }),
  });
  const json = (await response.json()) as { runId?: Id; error?: { code: string } };
  return { status: response.status, runId: json.runId, code: json.error?.code };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('the active-run cap across processes', () => {
  it('8 starts sent at once to 3 hosts at a cap of 3: exactly 3 accepted; once their pipelines end them, starts are accepted again', async () => {
    const { projectId, api } = await createProjectOverHttp(hosts[0]!.url);
    await uploadPhotos(api, 1, 950);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => start(hosts[i % hosts.length]!.url, projectId)),
    );
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.runId!);
    expect(accepted).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 429 && answer.code === 'too_many_active_runs')).toHaveLength(5);

    await until('the accepted runs to end', async () => {
      const states = await Promise.all(accepted.map((runId) => readRunState(projectId as Id, runId)));
      return states.every((state) => state && isTerminal(state.status));
    });
    for (const runId of accepted)
      expect(await readRunState(projectId as Id, runId)).toMatchObject({
        status: 'failed',
        error: { code: 'ffmpeg_missing' },
      });
    await until(
      'their slots to be given back',
      async () => (await runSlotHolders(projectId as Id)).length === 0,
      30_000,
    );
    const again = await Promise.all(
      Array.from({ length: 4 }, (_, i) => start(hosts[i % hosts.length]!.url, projectId)),
    );
    expect(again.map((answer) => answer.status).sort()).toEqual([202, 202, 202, 429]);
  }, 180_000);
});
