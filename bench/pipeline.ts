import { spawn } from 'node:child_process';
import { createRunState, newRun, readRunState } from '../src/runs/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { newId } from '../src/new-id.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { readProgress } from '../src/progress/event-log.js';
import { x264Args } from '../src/render/video/workspace.js';
import { type RunState } from '../src/schemas/run.js';
import type { LocalServer } from '../src/server/local-server.js';
import { getBinary, keys, type Id } from '../src/storage/index.js';
import { makePhoto } from '../tests/helpers/photos.js';
import { samplePeakRss } from './rss.js';
import { fmt } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const PHOTOS = 10;
const DURATION = 30;
const ROUNDS = 2;

function waitForExit(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((done) => child.on('exit', (code) => done(code ?? -1)));
}

async function queueRun(projectId: Id): Promise<Id> {
  const runId = newId('r');
  await createRunState(
    newRun({
      projectId,
      runId,
      request: { durationSec: DURATION, resolution: '720p', theme: 'A week in Lisbon' },
      mediaIds: [],
    }),
  );
  return runId;
}

/**
 * Runs the pipeline in one node process of its own (tsx as a loader, not its CLI
 * wrapper), as a deployed background function runs, sampling the memory of it
 * and its ffmpeg.
 */
async function pipelineInProcess(
  projectId: Id,
  runId: Id,
  env: Record<string, string>,
): Promise<{ runId: Id; state: RunState; rss: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-pipeline.ts', projectId, runId], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: 'ignore',
  });
  const sampler = samplePeakRss(child.pid!);
  const code = await waitForExit(child);
  const rss = sampler.stop();
  const state = (await readRunState(projectId, runId)) as RunState;
  if (code !== 0 || state.status !== 'complete') throw new Error(`pipeline run ended ${state.status}`);
  return { runId, state, rss };
}

/** 10 phone-sized photos → 30 s 720p: the whole pipeline against one hand-written ffmpeg command (the floor). */
export async function benchPipeline(server: LocalServer): Promise<void> {
  const created = await fetch(`${server.url}/api/projects`, { method: 'POST' });
  const { projectId } = (await created.json()) as { projectId: Id };
  for (let i = 0; i < PHOTOS; i++) {
    const photo = await makePhoto('jpeg', {
      width: 4000,
      height: 3000,
      seed: i,
      takenAt: `2024:07:${10 + i} 10:00:00`,
      offset: '+01:00',
    });
    const response = await fetch(`${server.url}/api/projects/${projectId}/media`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: photo,
    });
    if (response.status !== 201) throw new Error(`upload failed: ${response.status}`);
  }

  // Best of two for the pipeline and for the floor: on a shared 2-core machine one sample of either is noisy.
  const deployedRuns = [];
  for (let i = 0; i < ROUNDS; i++)
    deployedRuns.push(await pipelineInProcess(projectId, await queueRun(projectId), { MALLOC_ARENA_MAX: '2' }));
  const untuned = await pipelineInProcess(projectId, await queueRun(projectId), {});
  const walls = await Promise.all(
    deployedRuns.map(async (run) => {
      const { events } = await readProgress(projectId, run.runId);
      return (
        (Date.parse(events.at(-1)!.ts) -
          Date.parse(events.find((e) => e.status === 'started' && e.agent === 'pipeline')!.ts)) /
        1000
      );
    }),
  );
  const pipelineSec = Math.min(...walls);
  const pipelineRss = Math.max(...deployedRuns.map((run) => run.rss));
  const { runId, state } = deployedRuns[walls.indexOf(pipelineSec)]!;

  // The floor: x264 alone encoding the same frames at the same preset (decoding the pipeline's own H.264 costs little).
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-floor-'));
  const ffmpeg = (await findFfmpeg())!.path;
  try {
    await writeFile(join(dir, 'final.mp4'), (await getBinary(keys.video(runId)))!.data);
    let floorSec = Infinity;
    let floorPeak = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const floorStart = performance.now();
      const floor = spawn(
        ffmpeg,
        [
          '-hide_banner',
          '-v',
          'error',
          '-y',
          '-i',
          join(dir, 'final.mp4'),
          '-an',
          ...x264Args(state.storyboard!),
          '-f',
          'null',
          '-',
        ],
        { stdio: 'ignore' },
      );
      const floorRss = samplePeakRss(floor.pid!);
      await waitForExit(floor);
      floorSec = Math.min(floorSec, (performance.now() - floorStart) / 1000);
      floorPeak = Math.max(floorPeak, floorRss.stop());
    }

    console.log(`\n## Pipeline: ${PHOTOS} photos (4000×3000) → ${DURATION} s 720p, 2 cores, best of ${ROUNDS}`);
    console.log('| measure | pipeline | floor (x264 alone, same frames and preset) | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| wall time | ${fmt(pipelineSec)} s | ${fmt(floorSec)} s | ${fmt(pipelineSec / floorSec)} × floor (target ≤ 1.3) |`,
    );
    console.log(
      `| speed | ${fmt(DURATION / pipelineSec)} × realtime (target ≥ 2) | ${fmt(DURATION / floorSec)} × realtime | |`,
    );
    console.log(
      `| peak RSS (process tree, MALLOC_ARENA_MAX=2 as deployed) | ${fmt(pipelineRss, 0)} MB (target < 600) | ${fmt(floorPeak, 0)} MB | ${fmt(pipelineRss / floorPeak)} |`,
    );
    console.log(
      `| peak RSS without MALLOC_ARENA_MAX | ${fmt(untuned.rss, 0)} MB | | ${fmt(untuned.rss / floorPeak)} |`,
    );
    const timings = Object.entries(state.timings ?? {})
      .map(([agent, t]) => `${agent} ${fmt((t.ms ?? 0) / 1000)} s`)
      .join(', ');
    console.log(`| per agent | ${timings} | | |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
