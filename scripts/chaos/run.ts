import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setEnvironmentContext } from '@netlify/blobs';
import { BlobsServer } from '@netlify/blobs/server';
import sharp from 'sharp';
import { followProgress } from '../../packages/client/src/index.js';
import { readProgress } from '../../src/progress/event-log.js';
import { activeRunIds, readRunState } from '../../src/runs/index.js';
import { runRepair } from '../../src/repair/index.js';
import { isTerminalEvent, type ProgressEvent } from '../../src/schemas/progress.js';
import { getMetadata, getVideo, keys, listKeyPages, type Id } from '../../src/storage/index.js';
import { useLocalBlobsFetch } from '../../src/storage/local-fetch.js';
import { freePort, Host } from './host.js';
import { processesMatching } from './processes.js';
import { seededRandom, startFaultProxy, type FaultProxy } from './proxy.js';
import { censusOfTears, emptyCensus, killWhileTorn, type TearCensus } from './tears.js';

export interface ChaosOptions {
  runs: number;
  kills: number;
  /**
   * `embedded`: the host keeps its Blobs server inside itself, as `npm start` does, so a kill lands inside its
   * writes (timed to them, see killMidWrite). `proxy`: the Blobs server lives here, behind a proxy that fails or
   * stalls `faultRate` of requests.
   */
  store: 'embedded' | 'proxy';
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
  store: ChaosOptions['store'];
  runs: number;
  kills: number;
  /** Kills sent while one of the host's Blobs writes was half done (embedded store; see killWhileTorn). */
  killsMidWrite: number;
  /** What those kills left, counted before each restart (a tear still there from an earlier kill counts once). */
  tears: TearCensus;
  /** Runs whose progress log, followed over SSE, reached its terminal event. */
  ended: number;
  /** Progress logs followed over SSE numbered 1..n without a gap, with exactly one terminal event, the last. */
  followedHistories: number;
  complete: number;
  /** Complete runs whose video the API served (GET …/video, 200, full decode). */
  servedVideos: number;
  /** 5xx answers to the progress followers while the host was being killed (connection failures are not counted). */
  status5xxDuring: number;
  /** 5xx answers once every run had ended: each run, its progress, its video, the list of runs. */
  status5xxAfter: number;
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

/** A client that retries what the faults or a dead host made fail (a run is started with an Idempotency-Key, so a retry is the same run). */
async function call(url: string, init: RequestInit, want: number[], attempts = 60): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }).catch(() => null);
    if (response && want.includes(response.status)) return response;
    if (attempt >= attempts)
      throw new Error(
        `${init.method ?? 'GET'} ${url}: ${response?.status ?? 'no answer'} ${await response?.text().catch(() => '')}`,
      );
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

/**
 * When each kill comes: after how many progress events the followers have seen
 * the current host wrote (1 to twice the number of runs). Counting the runs'
 * own events, not the clock, puts every kill inside the work however fast a run
 * is, and a kill after a restart lands only once the new host has picked the runs up.
 */
function killThresholds(random: () => number, kills: number, runs: number): number[] {
  return Array.from({ length: kills }, () => 1 + Math.floor(random() * 2 * runs));
}

interface Followed {
  events: ProgressEvent[];
  ended: boolean;
}

/**
 * Follows one run's progress over SSE as a client would, through the host's
 * deaths: every failed connection is tried again, resuming after the last seq.
 */
async function follow(url: string, followed: Followed, counting: typeof fetch, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const lastEventId = followed.events.at(-1)?.seq ?? 0;
      await followProgress(url, {
        lastEventId,
        onEvent: (event) => followed.events.push(event),
        maxFailures: 1_000_000,
        fetch: counting,
        signal,
      });
      if (!signal.aborted) followed.ended = followed.events.some(isTerminalEvent);
      if (followed.ended) return;
    } catch {
      // A refused answer (a 4xx): counted by `counting`; try again.
    }
    await sleep(500);
  }
}

/** A fetch that counts the 5xx answers it gets. */
function countingFetch(counter: { status5xx: number }): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status >= 500) counter.status5xx++;
    return response;
  };
}

interface Stores {
  /** The Blobs directory (embedded) whose writes the kills are timed to. */
  directory: string | null;
  hostEnv: Record<string, string>;
  proxy: FaultProxy | null;
  close(): Promise<void>;
}

/**
 * Where the host keeps its Blobs, and a way for this process to read them
 * (never while runs work, except to list the index of active runs).
 */
async function openStores(options: ChaosOptions, work: string): Promise<Stores> {
  const token = randomBytes(16).toString('hex');
  const directory = join(work, 'blobs');
  const reader = new BlobsServer({ directory, token });
  const { port } = await reader.start();
  const direct = `http://127.0.0.1:${port}`;
  useLocalBlobsFetch();
  if (options.store === 'embedded') {
    // The host starts its own server on the directory (site "sirtrav-local"); this one only reads it.
    setEnvironmentContext({ siteID: 'sirtrav-local', token, edgeURL: direct, uncachedEdgeURL: direct });
    // setEnvironmentContext put this process's server in NETLIFY_BLOBS_CONTEXT: the host must not inherit it.
    return {
      directory,
      hostEnv: { SIRTRAV_BLOBS_DIR: directory, NETLIFY_BLOBS_CONTEXT: '' },
      proxy: null,
      close: () => reader.stop(),
    };
  }
  const proxy = await startFaultProxy({
    target: direct,
    faultRate: options.faultRate,
    stallMs: options.stallMs,
    random: seededRandom(options.seed + 1),
  });
  setEnvironmentContext({ siteID: 'sirtrav-chaos', token, edgeURL: direct, uncachedEdgeURL: direct });
  const context = Buffer.from(
    JSON.stringify({ siteID: 'sirtrav-chaos', token, edgeURL: proxy.url, uncachedEdgeURL: proxy.url }),
  ).toString('base64');
  return {
    directory: null,
    hostEnv: { NETLIFY_BLOBS_CONTEXT: context },
    proxy,
    close: async () => {
      await proxy.close();
      await reader.stop();
    },
  };
}

/**
 * N runs with their host's process group SIGKILLed K times at random moments,
 * each kill sent the instant the host's Blobs server starts a write (embedded
 * store), or with the Blobs server behind a proxy that fails or stalls a share
 * of requests. Nobody reads the runs while they work; their progress logs are
 * followed over SSE. The watchdog inside each new host must pick up what the
 * dead one left. Then the API is asked about every run, and every run is
 * checked from storage.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const say = options.onLog ?? (() => undefined);
  const started = Date.now();
  const random = seededRandom(options.seed);
  const work = await mkdtemp(join(tmpdir(), 'sirtrav-chaos-'));
  const scratch = join(work, 'tmp');
  await mkdir(scratch);
  const stores = await openStores(options, work);
  const host = new Host({
    port: await freePort(),
    logFile: join(work, 'host.log'),
    env: {
      ...stores.hostEnv,
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
  const during = { status5xx: 0 };
  const stopFollowing = new AbortController();
  const tears = emptyCensus();
  let lastKillAt = started;
  let killsDone = 0;
  let killsMidWrite = 0;
  try {
    await host.start();
    const project = (await (await call(`${host.url}/api/projects`, { method: 'POST' }, [201])).json()) as {
      projectId: Id;
    };
    const api = (path: string) => `${host.url}/api/projects/${project.projectId}${path}`;
    for (let i = 0; i < 3; i++)
      await call(
        api('/media'),
        { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array(await photo(i)) },
        [200, 201],
      );
    const runIds: Id[] = [];
    for (let i = 0; i < options.runs; i++) {
      const body = JSON.stringify({
        durationSec: options.durationSec,
        resolution: '360p',
        narration: options.narration,
        theme: `Chaos ${i}`,
      });
      const response = await call(
        api('/runs'),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `chaos-${options.seed}-${i}` },
          body,
        },
        [202],
      );
      runIds.push(((await response.json()) as { runId: Id }).runId);
    }
    say(`started ${runIds.length} runs`);
    const followed = new Map(runIds.map((runId) => [runId, { events: [], ended: false } as Followed]));
    const followers = runIds.map((runId) =>
      follow(api(`/runs/${runId}/progress`), followed.get(runId)!, countingFetch(during), stopFollowing.signal),
    );
    const allEnded = () => [...followed.values()].every((f) => f.ended);
    const allSettled = async () => {
      if (!allEnded()) return false;
      for await (const _ of activeRunIds()) return false;
      return true;
    };
    // The folders of the runs' progress logs and states, relative to the server's entries/ and metadata/ trees.
    const watched = runIds.flatMap((runId) =>
      ['progress', 'runs'].map((store) =>
        join('sirtrav-local', `site:sirtrav-${store}`, 'projects', project.projectId, 'runs', runId),
      ),
    );

    // Events the current host wrote: stamped after it started (a late delivery of the dead host's does not count).
    let hostStartedAt = started;
    const eventsOfThisHost = () =>
      [...followed.values()].reduce(
        (sum, f) => sum + f.events.filter((e) => Date.parse(e.ts) >= hostStartedAt).length,
        0,
      );
    const t0 = Date.now();
    for (const threshold of killThresholds(random, options.kills, options.runs)) {
      while (!allEnded() && eventsOfThisHost() < threshold) await sleep(20);
      if (allEnded()) break;
      const caught =
        stores.directory && host.pgid
          ? await killWhileTorn({
              directory: stores.directory,
              folders: watched,
              pgid: host.pgid,
              timeoutMs: 10_000,
              random,
            })
          : null;
      await host.kill();
      killsDone++;
      lastKillAt = Date.now();
      if (caught?.torn) killsMidWrite++;
      const left = stores.directory ? await censusOfTears(stores.directory) : emptyCensus();
      // A tear nobody has read since an earlier kill is still there: counted once.
      const fresh = left.keys.filter((key) => !tears.keys.some((seen) => seen.endsWith(`: ${key}`)));
      tears.unrenamedBodies += fresh.filter((key) => key.startsWith('unrenamed')).length;
      tears.tornMetadata += fresh.filter((key) => !key.startsWith('unrenamed')).length;
      tears.keys.push(...fresh.map((key) => `kill ${killsDone}: ${key}`));
      const how = caught ? `${caught.torn ? 'mid-write' : 'no write caught'} after ${caught.looks} looks` : 'blind';
      say(
        `kill ${killsDone} (${how}) at +${((lastKillAt - t0) / 1000).toFixed(1)} s: ${left.tornMetadata} torn metadata, ${left.unrenamedBodies} unrenamed bodies; orphan ffmpeg: ${(await processesMatching(scratch)).length}`,
      );
      hostStartedAt = Date.now();
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
        say(
          `waiting: ${[...followed.values()].map((f) => `${f.events.at(-1)?.agent ?? '-'}:${f.events.at(-1)?.status ?? '-'}`).join(' ')}`,
        );
      }
      await sleep(250);
    }
    stopFollowing.abort();
    await Promise.all(followers);
    const settledAt = Date.now();
    say(`settled ${((settledAt - lastKillAt) / 1000).toFixed(1)} s after the last kill`);
    stores.proxy?.calm();
    const asked = await askTheApi(api, runIds, scratch, options);
    problems.push(...asked.problems);
    const orphanFfmpeg = (await processesMatching(scratch)).length;
    await host.stop();
    const result = await inspect(project.projectId, runIds, scratch, options, problems);
    const histories = [...followed.entries()].map(([runId, f]) => ({
      runId,
      clean: cleanHistory(f.events),
      events: f.events,
    }));
    for (const h of histories)
      if (!h.clean)
        problems.push(`${h.runId}: followed ${h.events.map((e) => `${e.seq}:${e.agent}:${e.status}`).join(' ')}`);
    if (asked.status5xx > 0) problems.push(`${asked.status5xx} answers 5xx after the runs ended`);
    return {
      ...result,
      store: options.store,
      orphanFfmpeg: Math.max(orphanFfmpeg, result.orphanFfmpeg),
      kills: killsDone,
      killsMidWrite,
      tears,
      ended: [...followed.values()].filter((f) => f.ended).length,
      followedHistories: histories.filter((h) => h.clean).length,
      servedVideos: asked.servedVideos,
      status5xxDuring: during.status5xx,
      status5xxAfter: asked.status5xx,
      faults: { ...(stores.proxy?.counts ?? { requests: 0, status500: 0, status503: 0, stalls: 0 }) },
      settleMsAfterLastKill: settledAt - lastKillAt,
      totalMs: Date.now() - started,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    stopFollowing.abort();
    await host.stop().catch(() => undefined);
    await stores.close();
    if (problems.length === 0) await rm(work, { recursive: true, force: true });
    else say(`kept ${work} for inspection (host.log has the host's output)`);
  }
}

/** Numbered 1..n without a gap, with exactly one terminal event, the last. */
function cleanHistory(events: ProgressEvent[]): boolean {
  const terminals = events.filter(isTerminalEvent);
  return (
    events.length > 0 &&
    events.every((event, i) => event.seq === i + 1) &&
    terminals.length === 1 &&
    isTerminalEvent(events.at(-1)!)
  );
}

/** Every run, its progress and (complete) its video, and the list of runs, asked of the API once all have ended. */
async function askTheApi(api: (path: string) => string, runIds: Id[], scratch: string, options: ChaosOptions) {
  const problems: string[] = [];
  let status5xx = 0;
  let servedVideos = 0;
  const ask = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(api(path), { headers, signal: AbortSignal.timeout(60_000) });
    if (response.status >= 500) {
      status5xx++;
      problems.push(`GET ${path}: ${response.status} ${await response.text().catch(() => '')}`);
    }
    return response;
  };
  await (await ask('/runs')).body?.cancel();
  for (const runId of runIds) {
    const state = (await (await ask(`/runs/${runId}`)).json().catch(() => null)) as { status?: string } | null;
    const progress = await ask(`/runs/${runId}/progress`);
    await progress.body?.cancel();
    if (state?.status !== 'complete') continue;
    const video = await ask(`/runs/${runId}/video`);
    const bytes = new Uint8Array(await video.arrayBuffer());
    if (video.status === 200 && (await playable(bytes, scratch, options.ffmpegPath))) servedVideos++;
    else
      problems.push(`${runId}: GET …/video answered ${video.status} with ${bytes.byteLength} bytes that do not play`);
  }
  return { problems, status5xx, servedVideos };
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
    else
      problems.push(
        `${runId} ended ${state?.status ?? 'missing'}${state?.status === 'failed' ? `: ${state.error.code} ${state.error.message}` : ''}`,
      );
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
    if (
      numbered &&
      terminals.length === 1 &&
      isTerminalEvent(log.events.at(-1)!) &&
      log.events.at(-1)!.status === 'complete'
    )
      cleanHistories++;
    else
      problems.push(`${runId}: progress history ${log.events.map((e) => `${e.seq}:${e.agent}:${e.status}`).join(' ')}`);
  }
  const orphanFfmpeg = (await processesMatching(scratch)).length;
  if (orphanFfmpeg > 0) problems.push(`${orphanFfmpeg} ffmpeg processes left`);
  const repair = await runRepair({ dryRun: true, budgetMs: 60_000 });
  const orphanBlobs = Object.values(repair.found).reduce((sum, n) => sum + n, 0);
  if (orphanBlobs > 0) problems.push(`repair would act on ${JSON.stringify(repair.items)}`);
  const leftoverScratchDirs = (await readdir(scratch)).filter((name) => name.startsWith('sirtrav-compose-')).length;
  return {
    runs: runIds.length,
    complete,
    playableVideos,
    oneVideo,
    cleanHistories,
    orphanFfmpeg,
    orphanBlobs,
    leftoverScratchDirs,
    attempts,
  };
}

/** The keys of one stored video: its index, the pieces the index names, and the poster. */
async function expectedVideoKeys(runId: Id): Promise<string[]> {
  const index = await getMetadata(keys.video(runId));
  const { generation, pieces } = index ?? {};
  const pieceKeys =
    typeof generation === 'string' && typeof pieces === 'number'
      ? Array.from({ length: pieces }, (_, n) => keys.videoPiece(runId, generation, n).key)
      : [];
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
