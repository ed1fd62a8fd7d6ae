import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setEnvironmentContext } from '@netlify/blobs';
import { BlobsServer } from '@netlify/blobs/server';
import sharp from 'sharp';
import { readProgress } from '../../src/progress/event-log.js';
import { activeRunIds } from '../../src/runs/active.js';
import { readRunState } from '../../src/runs/state.js';
import { runRepair } from '../../src/repair/index.js';
import { isTerminal } from '../../src/schemas/run.js';
import { isTerminalEvent } from '../../src/schemas/progress.js';
import { getMetadata, getVideo, keys, listKeyPages, type Id } from '../../src/storage/index.js';
import { freePort, Host } from './host.js';
import { processesMatching } from './processes.js';
import { seededRandom, startFaultProxy } from './proxy.js';

export interface ChaosOptions {
  runs: number;
  kills: number;
  /** Share of Blobs requests answered 500/503 or stalled. */
  faultRate: number;
  stallMs: number;
  leaseMs: number;
  seed: number;
  /** Give up waiting for the runs after this long. */
  timeoutMs: number;
  durationSec: number;
  narration: boolean;
  ffmpegPath?: string;
  onLog?: (line: string) => void;
}

export interface ChaosResult {
  runs: number;
  kills: number;
  complete: number;
  playableVideos: number;
  /** Runs with exactly one video (final.mp4) beside its poster. */
  oneVideo: number;
  /** Progress histories numbered 1..n without a gap, with exactly one terminal event, the last. */
  cleanHistories: number;
  orphanFfmpeg: number;
  /** Blobs repair would act on (orphans, missing pieces), plus markers of runs no longer active. */
  orphanBlobs: number;
  leftoverScratchDirs: number;
  attempts: number[];
  faults: { requests: number; status500: number; status503: number; stalls: number };
  settleMsAfterLastKill: number;
  totalMs: number;
  ok: boolean;
  problems: string[];
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A client that retries what the faults or a dead host made fail (a run is started with an Idempotency-Key, so a retry is the same run). */
async function call(url: string, init: RequestInit, want: number[], attempts = 60): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }).catch(() => null);
    if (response && want.includes(response.status)) return response;
    if (attempt >= attempts) throw new Error(`${init.method ?? 'GET'} ${url}: ${response?.status ?? 'no answer'} ${await response?.text().catch(() => '')}`);
    await response?.body?.cancel();
    await sleep(500);
  }
}

async function photo(seed: number): Promise<Buffer> {
  const width = 640;
  const height = 480;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    pixels[i] = (x + seed * 40) % 256;
    pixels[i + 1] = (y + seed * 90) % 256;
    pixels[i + 2] = ((x ^ y) + seed * 20) % 256;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}

/** Kill moments: uniform over the busy period, at least `gapMs` apart so each host lives long enough to work. */
function killSchedule(random: () => number, kills: number, horizonMs: number, gapMs: number): number[] {
  const times: number[] = [];
  let at = 0;
  for (let i = 0; i < kills; i++) {
    const room = Math.max(gapMs, (horizonMs - at) / (kills - i));
    at += gapMs + random() * room;
    times.push(Math.round(at));
  }
  return times;
}

/**
 * N runs with their host SIGKILLed K times at random moments and the Blobs
 * server behind a proxy that fails or stalls a share of requests. Nobody
 * polls the API while the runs work: the watchdog inside each new host must
 * pick up what the dead one left. Then every run is checked from storage.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const say = options.onLog ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(options.seed);
  const work = await mkdtemp(join(tmpdir(), 'sirtrav-chaos-'));
  const scratch = join(work, 'tmp');
  await mkdir(scratch);
  const token = randomBytes(16).toString('hex');
  const blobs = new BlobsServer({ directory: join(work, 'blobs'), token });
  const { port: blobsPort } = await blobs.start();
  const direct = `http://127.0.0.1:${blobsPort}`;
  const proxy = await startFaultProxy({ target: direct, faultRate: options.faultRate, stallMs: options.stallMs, random: seededRandom(options.seed + 1) });
  // This process checks the outcome straight from the store, without faults.
  setEnvironmentContext({ siteID: 'sirtrav-chaos', token, edgeURL: direct, uncachedEdgeURL: direct });
  const context = Buffer.from(JSON.stringify({ siteID: 'sirtrav-chaos', token, edgeURL: proxy.url, uncachedEdgeURL: proxy.url })).toString('base64');
  const host = new Host({
    port: await freePort(),
    logFile: join(work, 'host.log'),
    env: {
      NETLIFY_BLOBS_CONTEXT: context,
      SIRTRAV_LEASE_TTL_MS: String(options.leaseMs),
      SIRTRAV_MAX_ACTIVE_RUNS: '100',
      SIRTRAV_API_SECRET: '',
      SIRTRAV_ADMIN_TOKEN: '',
      SIRTRAV_LOCAL: '1',
      LOG_LEVEL: 'warn',
      TMPDIR: scratch,
      ...(options.ffmpegPath ? { FFMPEG_PATH: options.ffmpegPath } : {}),
    },
  });
  const problems: string[] = [];
  let lastKillAt = started;
  let killsDone = 0;
  try {
    await host.start();
    const project = (await (await call(`${host.url}/api/projects`, { method: 'POST' }, [201])).json()) as { projectId: Id };
    const api = (path: string) => `${host.url}/api/projects/${project.projectId}${path}`;
    for (let i = 0; i < 3; i++)
      await call(api('/media'), { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(await photo(i)) }, [200, 201]);
    const runIds: Id[] = [];
    for (let i = 0; i < options.runs; i++) {
      const body = JSON.stringify({ durationSec: options.durationSec, resolution: '360p', narration: options.narration, theme: `Chaos ${i}` });
      const response = await call(
        api('/runs'),
        { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `chaos-${options.seed}-${i}` }, body },
        [202],
      );
      runIds.push(((await response.json()) as { runId: Id }).runId);
    }
    say(`started ${runIds.length} runs`);

    const allSettled = async () => {
      const states = await Promise.all(runIds.map((runId) => readRunState(project.projectId, runId).catch(() => null)));
      if (!states.every((state) => state && isTerminal(state.status))) return false;
      for await (const _ of activeRunIds()) return false;
      return true;
    };
    const schedule = killSchedule(random, options.kills, Math.max(4000, options.runs * options.durationSec * 400), 2500);
    const t0 = Date.now();
    for (const at of schedule) {
      await sleep(Math.max(0, t0 + at - Date.now()));
      if (await allSettled()) break;
      await host.kill();
      killsDone++;
      lastKillAt = Date.now();
      say(`kill ${killsDone} at +${((lastKillAt - t0) / 1000).toFixed(1)} s; orphan ffmpeg right after: ${(await processesMatching(scratch)).length}`);
      await host.start();
    }
    const deadline = Date.now() + options.timeoutMs;
    let lastReport = Date.now();
    while (!(await allSettled())) {
      if (Date.now() > deadline) {
        problems.push(`runs not settled within ${options.timeoutMs} ms`);
        break;
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const states = await Promise.all(runIds.map((runId) => readRunState(project.projectId, runId).catch(() => null)));
        say(
          `waiting: ${states.map((state) => `${state?.status ?? '?'}${state?.step ? `/${state.step}` : ''}@${state?.progress.toFixed(2) ?? '?'}`).join(' ')}`,
        );
      }
      await sleep(250);
    }
    const settledAt = Date.now();
    say(`settled ${((settledAt - lastKillAt) / 1000).toFixed(1)} s after the last kill`);
    const result = await inspect(project.projectId, runIds, scratch, options, problems);
    return {
      ...result,
      kills: killsDone,
      faults: { ...proxy.counts },
      settleMsAfterLastKill: settledAt - lastKillAt,
      totalMs: Date.now() - started,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    await host.stop().catch(() => undefined);
    await proxy.close();
    await blobs.stop();
    if (problems.length === 0) await rm(work, { recursive: true, force: true });
    else say(`kept ${work} for inspection (host.log has the host's output)`);
  }
}

async function inspect(projectId: Id, runIds: Id[], scratch: string, options: ChaosOptions, problems: string[]) {
  let complete = 0;
  let playableVideos = 0;
  let oneVideo = 0;
  let cleanHistories = 0;
  const attempts: number[] = [];
  for (const runId of runIds) {
    const state = await readRunState(projectId, runId);
    attempts.push(state?.attempts ?? 0);
    if (state?.status === 'complete') complete++;
    else problems.push(`${runId} ended ${state?.status ?? 'missing'}${state?.status === 'failed' ? `: ${state.error.code} ${state.error.message}` : ''}`);
    const videoKeys: string[] = [];
    for await (const page of listKeyPages('videos', `${runId}/`)) videoKeys.push(...page);
    if (videoKeys.sort().join() === (await expectedVideoKeys(runId)).sort().join()) oneVideo++;
    else problems.push(`${runId} has videos ${JSON.stringify(videoKeys)}`);
    const video = await getVideo(runId);
    if (video && (await playable(video.data, scratch, options.ffmpegPath))) playableVideos++;
    else problems.push(`${runId}: no playable video`);
    const log = await readProgress(projectId, runId);
    const numbered = log.dropped === 0 && log.events.every((event, i) => event.seq === i + 1);
    const terminals = log.events.filter(isTerminalEvent);
    if (numbered && terminals.length === 1 && isTerminalEvent(log.events.at(-1)!) && log.events.at(-1)!.status === 'complete') cleanHistories++;
    else problems.push(`${runId}: progress history ${log.events.map((e) => `${e.seq}:${e.agent}:${e.status}`).join(' ')}`);
  }
  const orphanFfmpeg = (await processesMatching(scratch)).length;
  if (orphanFfmpeg > 0) problems.push(`${orphanFfmpeg} ffmpeg processes left`);
  const repair = await runRepair({ dryRun: true, budgetMs: 60_000 });
  const orphanBlobs = Object.values(repair.found).reduce((sum, n) => sum + n, 0);
  if (orphanBlobs > 0) problems.push(`repair would act on ${JSON.stringify(repair.items)}`);
  const leftoverScratchDirs = (await readdir(scratch)).filter((name) => name.startsWith('sirtrav-compose-')).length;
  return { runs: runIds.length, complete, playableVideos, oneVideo, cleanHistories, orphanFfmpeg, orphanBlobs, leftoverScratchDirs, attempts };
}

/** The keys of one stored video: its index, the pieces the index names, and the poster. */
async function expectedVideoKeys(runId: Id): Promise<string[]> {
  const index = await getMetadata(keys.video(runId));
  const { generation, pieces } = index ?? {};
  const pieceKeys =
    typeof generation === 'string' && typeof pieces === 'number' ? Array.from({ length: pieces }, (_, n) => keys.videoPiece(runId, generation, n).key) : [];
  return [...pieceKeys, keys.video(runId).key, keys.poster(runId).key];
}

/** Decodes the whole file: playable means ffmpeg reads every frame without an error. */
async function playable(bytes: Uint8Array, scratch: string, ffmpegPath = 'ffmpeg'): Promise<boolean> {
  const file = join(scratch, `check-${randomBytes(4).toString('hex')}.mp4`);
  await writeFile(file, bytes);
  const result = spawnSync(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  await rm(file, { force: true });
  return result.status === 0 && result.stderr.trim() === '';
}
