import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SirTravClient } from '../packages/client/src/index.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { planSegments } from '../src/pipeline/index.js';
import { readStoryboard } from '../src/runs/index.js';
import { atFullQuality, type Storyboard } from '../src/schemas/run.js';
import type { SegmentRange } from '../src/schemas/segments.js';
import type { LocalServer } from '../src/server/local-server.js';
import { LOCAL_BLOBS_ENV } from '../src/storage/local-fetch.js';
import { parseId } from '../src/storage/index.js';
import { projectWithPhonePhotos } from '../tests/deploy/long-render.js';
import { samplePeakRss } from './rss.js';

const DURATION_SEC = Number(process.env.SIRTRAV_BENCH_SCALE_SEC ?? 180);
const SEGMENT_COUNTS = (process.env.SIRTRAV_BENCH_SCALE_K ?? '4,8,16').split(',').map(Number);
const fmt = (value: number, digits = 1) => value.toFixed(digits);
const WORKER = join(import.meta.dirname, 'scale-worker.ts');
const TSX = join(import.meta.dirname, '../node_modules/tsx/dist/cli.mjs');

interface Measured {
  sec: number;
  peakRssMb: number;
}

/** Runs one piece in its own process (pinned to one core when `oneCore`), with the peak RSS of its tree (Node and ffmpeg). */
async function piece(job: object, oneCore: boolean): Promise<Measured> {
  const args = [TSX, WORKER, JSON.stringify(job)];
  const [command, argv] = oneCore ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv as string[], {
    env: { ...process.env, MALLOC_ARENA_MAX: '2', [LOCAL_BLOBS_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rss = samplePeakRss(child.pid!);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const peakRssMb = rss.stop();
  if (code !== 0) throw new Error(`bench piece failed (${code}): ${JSON.stringify(job).slice(0, 200)}`);
  return { sec: (JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number }).ms / 1000, peakRssMb };
}

/**
 * Segmented rendering against the single-invocation render, on the same
 * storyboard (180 s of 1080p from 40 phone photos, planned by a preview run):
 * the whole render; every segment alone on one core for K = 4, 8, 16 and the
 * critical path (slowest segment + soundtrack + join) with the speedup it
 * projects; the join's own cost; and the actual wall time here with two
 * segments in parallel. SIRTRAV_BENCH_SCALE_SEC and _K shorten it.
 */
export async function benchScale(server: LocalServer): Promise<void> {
  const ffmpeg = (await findFfmpeg())!.path;
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const client = new SirTravClient({ baseUrl: server.url });
  const project = await projectWithPhonePhotos(client, 40);
  const previewStarted = performance.now();
  const { runId } = await project.startRun({
    durationSec: DURATION_SEC,
    resolution: '1080p',
    theme: 'Scale',
    preview: true,
  });
  const preview = await project.follow(runId, { onEvent: () => undefined });
  const previewSec = (performance.now() - previewStarted) / 1000;
  if (preview.status !== 'complete') throw new Error(`the preview run ended ${preview.status}`);
  const storyboard: Storyboard = atFullQuality((await readStoryboard(parseId(project.projectId), parseId(runId)))!);
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-bench-scale-'));
  const base = { projectId: project.projectId, runId, ffmpeg, storyboard };
  try {
    console.log(
      `\n## Scale-out: ${DURATION_SEC} s of 1080p from 40 phone photos (${availableParallelism()} cores${pinned ? '' : '; taskset missing, segments not pinned'})`,
    );
    const whole = await piece({ ...base, mode: 'whole', output: join(dir, 'whole.mp4') }, false);
    console.log(
      `- single invocation (whole compose, ${availableParallelism()} cores): ${fmt(whole.sec)} s, peak RSS ${fmt(whole.peakRssMb, 0)} MB`,
    );
    const steps = Object.entries(preview.timings ?? {})
      .map(([agent, timing]) => `${agent} ${fmt((timing.ms ?? 0) / 1000)} s`)
      .join(', ');
    console.log(
      `- preview of the same storyboard (360p, 15 fps, whole run incl. director, voice, music): ${fmt(previewSec)} s (${steps})`,
    );
    const soundtrack = await piece({ ...base, mode: 'soundtrack', output: join(dir, 'soundtrack.m4a') }, true);
    console.log(`- soundtrack alone (mix, AAC, loudness check): ${fmt(soundtrack.sec)} s`);
    console.log(
      '\n| K | segments alone on one core (s) | slowest | peak RSS per segment (max) | join | critical path: slowest + soundtrack + join | projected speedup | in the run: max(slowest, soundtrack) + join |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const count of SEGMENT_COUNTS) {
      const segments = planSegments(storyboard, count, 30);
      const timed: Measured[] = [];
      for (const range of segments)
        timed.push(await piece({ ...base, mode: 'segment', range, output: segmentFile(dir, count, range) }, true));
      const files = [join(dir, 'soundtrack.m4a'), ...segments.map((range) => segmentFile(dir, count, range))];
      const joined = await piece({ ...base, mode: 'join', files, output: join(dir, `joined-${count}.mp4`) }, true);
      const slowest = Math.max(...timed.map((t) => t.sec));
      const critical = slowest + soundtrack.sec + joined.sec;
      // A run makes its soundtrack while its segments render, so only the longer of the two is waited for.
      const overlapped = Math.max(slowest, soundtrack.sec) + joined.sec;
      console.log(
        `| ${segments.length} | ${timed.map((t) => fmt(t.sec)).join(', ')} | ${fmt(slowest)} | ${fmt(Math.max(...timed.map((t) => t.peakRssMb)), 0)} MB (target ≤ 500) | ${fmt(joined.sec, 2)} s (target < 2) | ${fmt(critical)} s (${fmt((100 * critical) / whole.sec, 0)} % of single) | ${fmt(whole.sec / critical, 2)}× | ${fmt(overlapped)} s (${fmt((100 * overlapped) / whole.sec, 0)} %, ${fmt(whole.sec / overlapped, 2)}×) |`,
      );
    }
    const twoStarted = performance.now();
    const two = planSegments(storyboard, 2, 30);
    await Promise.all([
      ...two.map((range) => piece({ ...base, mode: 'segment', range, output: segmentFile(dir, 2, range) }, false)),
      piece({ ...base, mode: 'soundtrack', output: join(dir, 'soundtrack-2.m4a') }, false),
    ]);
    await piece(
      {
        ...base,
        mode: 'join',
        files: [join(dir, 'soundtrack-2.m4a'), ...two.map((range) => segmentFile(dir, 2, range))],
        output: join(dir, 'joined-2.mp4'),
      },
      false,
    );
    const twoSec = (performance.now() - twoStarted) / 1000;
    console.log(
      `\n- actual, this machine, 2 segments in parallel + soundtrack, then join: ${fmt(twoSec)} s = ${fmt(twoSec / whole.sec, 2)}× single (goal ≤ 1.1×)`,
    );
    const sizes = await Promise.all([stat(join(dir, 'whole.mp4')), stat(join(dir, 'joined-2.mp4'))]);
    console.log(`- sizes: single ${fmt(sizes[0].size / 1e6)} MB, joined ${fmt(sizes[1].size / 1e6)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const segmentFile = (dir: string, count: number, range: SegmentRange) => join(dir, `k${count}-${range.index}.mp4`);
