import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setEnvironmentContext } from '@netlify/blobs';
import { rebuildFailureIndex } from '../src/failures/rebuild.js';
import { searchFailures } from '../src/failures/search.js';
import { heuristicReflection } from '../src/failures/heuristics.js';
import { recordRequest, discardPendingMetrics } from '../src/metrics/metrics.js';
import { measureRoute } from '../src/metrics/request-metrics.js';
import { computeStats } from '../src/operations/stats.js';
import { failureDoc } from '../src/failures/episodes.js';
import type { FailureEpisode } from '../src/schemas/failure.js';
import { idSchema } from '../src/schemas/common.js';
import type { LocalServer } from '../src/server/local-server.js';
import { keys, writeJSON, type Id } from '../src/storage/index.js';
import { fmt, median, percentile, timeEach } from './stats.js';

const KINDS = [
  [
    'compose',
    'resource',
    'resource_exhausted',
    'ENOSPC: no space left on device, write /tmp/sirtrav-{w}/frame-{n}.png',
  ],
  ['compose', 'resource', 'resource_exhausted', 'Cannot allocate memory while scaling {n}x{n} photos for {w}'],
  ['compose', 'timeout', 'timeout', 'ffmpeg timed out after {n} ms while encoding {w}'],
  ['compose', 'configuration', 'ffmpeg_missing', 'No ffmpeg found at /opt/{w}/bin/ffmpeg: set FFMPEG_PATH'],
  ['voice', 'network', 'network_error', 'fetch failed: ECONNRESET talking to api.{w}.io port {n}'],
  ['voice', 'configuration', 'tool_missing', 'spawn espeak-ng ENOENT in {w}'],
  ['director', 'network', 'llm_http_error', 'LLM answered HTTP 429 Too Many Requests for model {w}'],
  ['director', 'input', 'no_media', 'The run has no photos to use ({w}, {n})'],
  ['music', 'internal', 'internal_error', 'Cannot read properties of undefined (reading "{w}") at synth line {n}'],
  ['compose', 'input', 'corrupt_input', 'sirtrav-media/projects/p/media/{w}: content does not match its SHA-256'],
] as const;
const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basalt cobalt dune ember fjord glacier harbor island jungle'.split(
    ' ',
  );

const rand = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

function episode(i: number, random: () => number): FailureEpisode {
  const [step, errorClass, code, template] = KINDS[i % KINDS.length]!;
  const word = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const message = template
    .replace(/\{w\}/g, () => `${word()}${word()}`)
    .replace(/\{n\}/g, () => String(Math.floor(random() * 100_000)));
  const episodeValue: FailureEpisode = {
    runId: idSchema.parse(`r_bench${String(i).padStart(6, '0')}`),
    projectId: idSchema.parse(`p_bench${i % 50}`),
    at: new Date(Date.now() - i * 60_000).toISOString(),
    goal: 'Render the run’s storyboard into a narrated, scored MP4',
    step,
    error_class: errorClass,
    severity: 'high',
    code,
    message,
    error_trace: `PipelineError: ${message}\n    at ${word()}Step (steps.js:${i % 300})\n    at runPipeline (orchestrator.js:90)`,
    tool_chain: [`director:local`, `voice:${word()}`],
    actions_taken: [`${step}: started`, `${word()} ${word()}`],
    environment_info: {},
  };
  return {
    ...episodeValue,
    reflection: heuristicReflection({
      errorClass,
      code,
      step,
      message,
      providers: {},
      resolution: '720p',
      durationSec: 30,
    }),
  };
}

async function plantEpisodes(count: number): Promise<FailureEpisode[]> {
  const random = rand(42);
  const all = Array.from({ length: count }, (_, i) => episode(i, random));
  const queue = [...all];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift())
      await writeJSON(keys.runFailure(item.projectId as Id, item.runId as Id), failureDoc, item);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return all;
}

async function benchSearch(server: LocalServer): Promise<void> {
  const count = 10_000;
  let started = performance.now();
  const episodes = await plantEpisodes(count);
  console.log(
    `\n## Failure search (${count} episodes)\nplanted ${count} episode documents in ${fmt((performance.now() - started) / 1000, 1)} s`,
  );
  started = performance.now();
  const rebuilt = await rebuildFailureIndex();
  console.log(
    `index rebuild from the episodes: ${fmt((performance.now() - started) / 1000, 2)} s (${rebuilt.episodes} episodes, ${rebuilt.unreadable} unreadable)`,
  );

  const random = rand(7);
  const queries = Array.from({ length: 200 }, () => {
    const target = episodes[Math.floor(random() * episodes.length)]!;
    return {
      text: target.message.replace(/\d+/g, '9').split(' ').slice(0, 8).join(' '),
      step: target.step,
      runId: target.runId,
      code: target.code,
    };
  });
  started = performance.now();
  await searchFailures(queries[0]!.text, {}, { limit: 10 });
  console.log(`first search (loads 16 shards, builds the TF-IDF corpus): ${fmt(performance.now() - started, 1)} ms`);
  let sameCode = 0;
  const cpuBefore = process.cpuUsage();
  const inProcess = await timeEach(queries.length, async (i) => {
    const hits = await searchFailures(queries[i]!.text, { step: queries[i]!.step }, { limit: 10 });
    if (hits[0]?.entry.code === queries[i]!.code) sameCode++;
  });
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    `search in process (shard hashes re-checked each second, corpus cached): p50 ${fmt(median(inProcess))} ms, p99 ${fmt(percentile(inProcess, 99))} ms (goal p99 < 50 ms); CPU ${fmt((cpu.user + cpu.system) / 1000 / queries.length)} ms per search; top hit of the query's kind ${sameCode}/${queries.length}`,
  );
  const overHttp = await timeEach(queries.length, async (i) => {
    const response = await fetch(
      `${server.url}/api/admin/failures?${new URLSearchParams({ q: queries[i]!.text, limit: '10' })}`,
    );
    await response.arrayBuffer();
  });
  console.log(
    `GET /api/admin/failures over HTTP (with the 10 episodes read): p50 ${fmt(median(overHttp))} ms, p99 ${fmt(percentile(overHttp, 99))} ms`,
  );
}

/**
 * A stand-in for the Blobs API's listing with production's 1,000-key pages
 * (the local server answers any listing in one page, which would hide whether
 * stats stream). Every other request is a 404: an empty store.
 */
async function startListingServer(blobs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .filter((part) => !part.startsWith('region:'));
    if (
      req.method !== 'GET' ||
      parts.length !== 2 ||
      !decodeURIComponent(parts[1]!).endsWith('sirtrav-media') ||
      url.searchParams.get('prefix')
    ) {
      res.writeHead(404).end();
      return;
    }
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const to = Math.min(blobs, from + 1000);
    const page = Array.from({ length: to - from }, (_, k) => ({
      key: `projects/p_bench${(from + k) % 40}/media/m${String(from + k).padStart(7, '0')}`,
      etag: `"${from + k}"`,
      size: 1000 + ((from + k) % 5000),
      last_modified: new Date(0).toISOString(),
    }));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ blobs: page, directories: [], ...(to < blobs ? { next_cursor: String(to) } : {}) }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function statsAt(blobs: number, server: LocalServer): Promise<void> {
  const listing = await startListingServer(blobs);
  setEnvironmentContext({ siteID: 'bench', token: 'bench', edgeURL: listing.url, uncachedEdgeURL: listing.url });
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const started = performance.now();
    const stats = await computeStats();
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    console.log(
      `| ${blobs} | ${stats.stores['sirtrav-media']!.blobs} | ${fmt(ms, 0)} | ${fmt((peak - base) / 1024 / 1024, 1)} |`,
    );
  } finally {
    const sandbox = server.blobs!;
    setEnvironmentContext({
      siteID: sandbox.siteID,
      token: sandbox.token,
      edgeURL: sandbox.url,
      uncachedEdgeURL: sandbox.url,
    });
    await listing.close();
  }
}

async function benchMetricsOverhead(server: LocalServer): Promise<void> {
  const created = (await (await fetch(`${server.url}/api/projects`, { method: 'POST' })).json()) as {
    projectId: string;
  };
  const small = `${server.url}/api/projects/${created.projectId}/memory`;
  await timeEach(20, () => fetch(small).then((r) => r.arrayBuffer()));
  const request = await timeEach(200, () => fetch(small).then((r) => r.arrayBuffer()));
  const response = new Response('{}');
  const n = 200_000;
  const bare = await timeEach(5, async () => {
    for (let i = 0; i < n; i++) await (async () => response)();
  });
  const measured = await timeEach(5, async () => {
    for (let i = 0; i < n; i++) await measureRoute('GET /api/projects/:projectId/memory', async () => response);
  });
  discardPendingMetrics();
  const perRequestMs = Math.max(0, median(measured) - median(bare)) / n;
  console.log(
    `\n## Per-request cost of metrics\nsmall request (GET …/memory over HTTP): median ${fmt(median(request))} ms`,
  );
  console.log(
    `measureRoute + recordRequest: ${fmt(perRequestMs * 1000, 2)} µs per request = ${fmt((perRequestMs / median(request)) * 100, 3)} % of the small request (goal < 2 %); no write on the request path (flushed every 5 s beside it)`,
  );
  recordRequest('bench', 200, 1);
  discardPendingMetrics();
}

/** `npm run bench operations`. Figures on a shared 2-core machine are inflated by other load. */
export async function benchOperations(server: LocalServer): Promise<void> {
  await benchSearch(server);
  console.log(
    '\n## Stats computation (listing pages of 1,000 with sizes, as production sends them)\n| blobs | counted | ms | peak heap growth MiB |\n|---|---|---|---|',
  );
  await statsAt(10_000, server);
  await statsAt(100_000, server);
  await benchMetricsOverhead(server);
}
