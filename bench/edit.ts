import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followProgress } from '../packages/client/src/index.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { runFfmpeg } from '../src/render/ffmpeg.js';
import { x264Args } from '../src/render/video/workspace.js';
import type { Media } from '../src/schemas/media.js';
import type { ProgressEvent } from '../src/schemas/progress.js';
import type { RunState } from '../src/schemas/run.js';

type CompleteRun = Extract<RunState, { status: 'complete' }>;
import type { LocalServer } from '../src/server/local-server.js';
import { getVideo, parseId } from '../src/storage/index.js';
import { makePhoto } from '../tests/helpers/photos.js';
import { fmt } from './stats.js';

const PHOTOS = 20;

type Api = (path: string) => string;

async function upload(api: Api, seed: number): Promise<Media> {
  const photo = await makePhoto('jpeg', {
    width: 3000,
    height: 2000,
    seed,
    takenAt: `2024:07:${String(10 + (seed % 20)).padStart(2, '0')} 10:00:00`,
    offset: '+01:00',
    // Places and days give the director scenes to narrate.
    gps: { lat: [38, 42, 30 + (seed % 20)], latRef: 'N', lon: [9, 8, 24], lonRef: 'W' },
  });
  const response = await fetch(api('/media'), {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body: photo,
  });
  if (response.status !== 201) throw new Error(`upload failed: ${response.status}`);
  return ((await response.json()) as { media: Media[] }).media[0]!;
}

/** Starts a run, follows it to its end; its state and wall time. */
async function timedRun(api: Api, body: object): Promise<{ state: CompleteRun; sec: number; steps: string }> {
  const started = performance.now();
  const requestedAt = Date.now();
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 202) throw new Error(`run refused: ${response.status} ${await response.text()}`);
  const { runId, links } = (await response.json()) as { runId: string; links: { progress: string } };
  const events: ProgressEvent[] = [];
  const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
  const sec = (performance.now() - started) / 1000;
  const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
  if (final?.status !== 'complete' || state.status !== 'complete')
    throw new Error(`run ${runId} ended ${final?.status}`);
  return { state: state as CompleteRun, sec, steps: stepTimes(events, requestedAt) };
}

/** Where a run's time went: each agent from its first event to its last (from the request), in the order they started. */
function stepTimes(events: ProgressEvent[], requestedAt: number): string {
  const spans = new Map<string, { from: number; to: number }>();
  for (const event of events) {
    const at = Date.parse(event.ts);
    const span = spans.get(event.agent);
    if (span) span.to = at;
    else spans.set(event.agent, { from: at, to: at });
  }
  return [...spans.entries()]
    .filter(([agent]) => agent !== 'pipeline')
    .map(([agent, { from, to }]) => `${agent} ${fmt((from - requestedAt) / 1000)}–${fmt((to - requestedAt) / 1000)} s`)
    .join(', ');
}

/**
 * What keyframes at every transition cost: the run's picture against the same
 * decoded frames encoded with the same settings and x264's own keyframes.
 */
async function keyframeCost(state: CompleteRun): Promise<{ withKeys: number; without: number }> {
  const ffmpeg = (await findFfmpeg())!.path;
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-bench-edit-'));
  try {
    const video = join(dir, 'final.mp4');
    await writeFile(video, (await getVideo(parseId(state.runId)))!.data);
    const picture = join(dir, 'picture.mp4');
    const plain = join(dir, 'plain.mp4');
    await runFfmpeg(ffmpeg, ['-i', video, '-map', '0:v', '-c', 'copy', picture]);
    await runFfmpeg(ffmpeg, ['-i', video, '-map', '0:v', ...x264Args(state.storyboard), '-pix_fmt', 'yuv420p', plain]);
    return { withKeys: (await stat(picture)).size, without: (await stat(plain)).size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench edit`: 20 photos → 60 s 1080p, then a one-shot replace and a
 * one-line narration edit of it, each as a share of the first render's wall
 * time, with the frames copied. SIRTRAV_BENCH_DURATIONS=20 renders 20 s instead.
 */
export async function benchEdit(server: LocalServer): Promise<void> {
  const durations = (process.env.SIRTRAV_BENCH_DURATIONS ?? '60').split(',').map(Number);
  console.log(`\n## Edits: ${PHOTOS} photos (3000×2000) → 1080p, then one edit at a time`);
  console.log('| video | run | wall | share of the first render | frames copied | steps |');
  console.log('|---|---|---|---|---|---|');
  for (const durationSec of durations) {
    const created = await fetch(`${server.url}/api/projects`, { method: 'POST' });
    const { projectId } = (await created.json()) as { projectId: string };
    const api: Api = (path) => `${server.url}/api/projects/${projectId}${path}`;
    for (let i = 0; i < PHOTOS; i++) await upload(api, i);
    const first = await timedRun(api, {
      durationSec,
      resolution: '1080p',
      title: 'A week in Lisbon',
      narration: 'We arrived in Lisbon at dawn. The trams climbed the hills. At night the whole city sang.',
    });
    const extra = await upload(api, 1000);
    const middle = Math.floor(first.state.storyboard.shots.length / 2);
    const lines = first.state.storyboard.narration.segments?.length ?? 0;
    if (lines === 0) throw new Error('the first render has no narration to edit');
    const edits = {
      'replace one shot': [{ op: 'replace', shot: middle, mediaId: extra.mediaId }],
      'narration, one line': [
        { op: 'narration', line: Math.min(1, lines - 1), text: 'Then the trams climbed the hill to the castle.' },
      ],
    };
    const label = `${durationSec} s`;
    console.log(
      `| ${label} | first render (${first.state.storyboard.shots.length} shots) | ${fmt(first.sec)} s | 100 % | – | ${first.steps} |`,
    );
    for (const [name, list] of Object.entries(edits)) {
      const edited = await timedRun(api, { editOf: first.state.runId, edits: list });
      const reused = edited.state.outputs.video?.reused;
      const copied = reused ? `${reused.frames} of ${reused.of} (${fmt((100 * reused.frames) / reused.of, 0)} %)` : '–';
      console.log(
        `| ${label} | ${name} | ${fmt(edited.sec)} s | ${fmt((100 * edited.sec) / first.sec, 0)} % | ${copied} | ${edited.steps} |`,
      );
    }
    const cost = await keyframeCost(first.state);
    console.log(
      `\nKeyframes at every transition, ${label}: picture ${fmt(cost.withKeys / 1e6)} MB against ${fmt(cost.without / 1e6)} MB with x264's own (${fmt((100 * (cost.withKeys - cost.without)) / cost.without, 0)} % more).`,
    );
  }
}
