import { setTimeout as sleep } from 'node:timers/promises';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobsServer } from '@netlify/blobs/server';
import { Cron } from 'croner';
import { REPO_ROOT, type Bundle, type BundledFunction } from './bundle.js';
import { cpuQuotaFromEnvironment, type CpuGroup } from './cpu-quota.js';
import { killTree, treesResidentBytes } from './process-tree.js';
import { isMissingModule, Verdicts, type LimitName, type Violation } from './verdicts.js';

export { DeployHostViolation, type Violation } from './verdicts.js';
import { serveStatic } from '../../../src/server/local-server.js';

const MiB = 1024 * 1024;

/** Netlify's function limits (docs.netlify.com, functions overview; none configurable). */
export const NETLIFY_LIMITS = {
  /** Request payload, as the function receives it (binary bodies base64-encoded). */
  requestBytes: 6 * MiB,
  /** A streamed response body. */
  responseBytes: 20 * MiB,
  /** A synchronous function, from invocation to the end of its answer. */
  syncMs: 60_000,
  /** A streamed answer (events, video, any body that is not buffered JSON), counted from the invocation. */
  streamMs: 10_000,
  backgroundMs: 15 * 60_000,
  scheduledMs: 30_000,
  /** Resident memory of the function's process and everything it spawned. */
  memoryBytes: 1024 * MiB,
  /** A background function that fails is invoked again after 1 and 2 minutes. */
  backgroundRetryDelaysMs: [60_000, 120_000] as number[],
};
export type Limits = typeof NETLIFY_LIMITS;

/** Niceness of background functions' processes (see spawnWorker). */
const BACKGROUND_NICENESS = 10;
const CPU_SAMPLE_MS = 250;

export interface DeployHostOptions {
  bundle: Bundle;
  /**
   * Site environment variables, as set in Netlify's UI for the Functions scope. Nothing else of this process's
   * environment is passed: a function also gets only what Netlify gives at run time (URL, SITE_NAME, SITE_ID), and
   * no CONTEXT.
   */
  env?: Record<string, string>;
  /** The deploy context Netlify names in each request (`x-nf-deploy-context`); default `production`. */
  deployContext?: 'production' | 'deploy-preview' | 'branch-deploy';
  limits?: Partial<Limits>;
  /** Invoke scheduled functions on their cron schedule (otherwise only through `runScheduled`). */
  schedules?: boolean;
  /** Directory for the public site; `null` for none. */
  publicDirectory?: string | null;
  /** Failed invocations of one background function in a row (retries included) after which it is given up on. Default 2. */
  backgroundFailuresInARow?: number;
}

export interface DeployHost {
  url: string;
  blobsUrl: string;
  violations: Violation[];
  /**
   * Aborted as soon as a violation is recorded, with a DeployHostViolation as its reason: a test that waits
   * (for a run to finish, say) passes it on, so a broken deploy fails the test at once and says why.
   */
  failed: AbortSignal;
  /** Highest resident memory seen per function, in bytes (process tree). */
  peakRss: Record<string, number>;
  /** Every background and scheduled invocation so far: its request body, how long it ran and its peak memory (bytes, process tree). */
  invocations: InvocationRecord[];
  /** Each new function instance: from its process starting to its bundle loaded and ready to serve. */
  coldStarts: ColdStart[];
  /** vCPUs each function instance's process tree may use (Lambda's share for its memory), or null for the whole machine. */
  cpuShare: number | null;
  /** Invokes a scheduled function now, as the scheduler would; resolves with its status. */
  runScheduled(name: string): Promise<number>;
  /** Resolves when no background or scheduled invocation is under way. */
  idle(): Promise<void>;
  /** Output the functions printed, for diagnosing a failure. */
  logs(): string;
  close(): Promise<void>;
}

export interface ColdStart {
  functionName: string;
  ms: number;
  /** CPU its process used meanwhile (ms), or null without a CPU group. */
  cpuMs: number | null;
}

export interface InvocationRecord {
  functionName: string;
  body: string;
  /** When the request reached the host, and when the invocation began and ended (epoch ms). */
  receivedAt: number;
  startedAt: number;
  endedAt: number;
  ms: number;
  peakRss: number;
  outcome: Outcome;
  /** CPU the instance's process tree used from start to end (ms, every core), or null without a CPU group. */
  cpuMs: number | null;
  /** That CPU as it grew: sampled every CPU_SAMPLE_MS, so a stretch of the invocation (a step it logged) has its own. */
  cpuSamples: CpuSample[];
  /** The instance's start, when this invocation had to wait for a new one (between receivedAt and startedAt). */
  coldStart: ColdStart | null;
}

export interface CpuSample {
  at: number;
  /** CPU used since the invocation started, in ms. */
  cpuMs: number;
}

interface Sink {
  head(status: number, headers: Record<string, string[]>): void;
  chunk(data: Uint8Array): void;
  end(): void;
}

/** `broken`: failed in a way no retry can mend (recorded as a `brokenBundle` violation). */
type Outcome = 'done' | 'failed' | 'killed' | 'broken';

interface Worker {
  fn: BundledFunction;
  child: ChildProcess;
  cpu: Promise<CpuGroup | null>;
  /** Set once it is ready. */
  coldStart?: ColdStart;
  busy: boolean;
  ready: Promise<void>;
}

/** A Lambda event for the Netlify bootstrap, with the Blobs context Netlify injects. */
interface LambdaEvent {
  rawUrl: string;
  httpMethod: string;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  flags: Record<string, never>;
  blobs: string;
  invocationMetadata: { function_name: string };
}

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|javascript))/;

/**
 * Serves a built site's function bundles the way Netlify runs them: each
 * function in its own Node processes (reused while warm, like Lambda
 * instances), routed by the build manifest, background functions answered
 * with 202, scheduled ones on their schedule, all pointed at a real local
 * Blobs server, with no ffmpeg on PATH, and Netlify's limits enforced: what
 * crosses one is killed where Netlify would kill it and recorded as a violation.
 */
export async function startDeployHost(options: DeployHostOptions): Promise<DeployHost> {
  const limits: Limits = { ...NETLIFY_LIMITS, ...options.limits };
  const scratch = await mkdtemp(join(tmpdir(), 'sirtrav-deploy-host-'));
  const blobs = await startBlobs(join(scratch, 'blobs'));
  const siteID = 'sirtrav-deploy-site';
  const siteName = 'sirtrav-deploy';
  const deployContext = options.deployContext ?? 'production';
  const deployID = randomUUID();
  const blobsContext = Buffer.from(
    JSON.stringify({ url: blobs.url, url_uncached: blobs.url, token: blobs.token, primary_region: 'local' }),
  ).toString('base64');
  // An empty directory as PATH: nothing of this machine (no system ffmpeg) is found by name.
  const emptyPath = await mkdtemp(join(tmpdir(), 'sirtrav-empty-path-'));
  const verdicts = new Verdicts(options.backgroundFailuresInARow ?? 2);
  const { violations } = verdicts;
  const record = (violation: Violation) => verdicts.record(violation);
  const peakRss: Record<string, number> = {};
  const invocations: InvocationRecord[] = [];
  const coldStarts: ColdStart[] = [];
  const cpu = await cpuQuotaFromEnvironment(Math.round(limits.memoryBytes / MiB));
  const cpuGroups = new Set<Promise<CpuGroup | null>>();
  const workers = new Set<Worker>();
  const pending = new Set<Promise<unknown>>();
  const output: string[] = [];
  const runtime = join(import.meta.dirname, 'lambda-runtime.mjs');

  /**
   * The memory of every invocation in flight, sampled together every 100 ms in
   * one pass over /proc, never two passes at once: with a dozen invocations
   * under way, a pass each would keep this process (and the Blobs server in
   * it) too busy to answer.
   */
  const watched = new Map<symbol, { pid: number; report: (rss: number) => void }>();
  let sampling = false;
  const memoryTimer = setInterval(() => {
    if (sampling || watched.size === 0) return;
    sampling = true;
    const entries = [...watched.values()];
    treesResidentBytes(entries.map((entry) => entry.pid))
      .then((totals) => entries.forEach((entry) => entry.report(totals.get(entry.pid) ?? 0)))
      .finally(() => (sampling = false))
      .catch(() => undefined);
  }, 100);
  memoryTimer.unref();
  /** Reports the resident memory of `pid`'s process tree until the returned function is called. */
  function watchMemory(pid: number, report: (rss: number) => void): () => void {
    const key = Symbol(pid);
    watched.set(key, { pid, report });
    return () => watched.delete(key);
  }

  function spawnWorker(fn: BundledFunction): Worker {
    const child = fork(runtime, [fn.dir], {
      cwd: fn.dir,
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...options.env,
        URL: `https://${siteName}.netlify.app`,
        SITE_NAME: siteName,
        SITE_ID: siteID,
        PATH: emptyPath,
        HOME: scratch,
        TZ: 'UTC',
        LAMBDA_TASK_ROOT: fn.dir,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(Math.round(limits.memoryBytes / MiB)),
        AWS_REGION: 'us-east-2',
      },
    });
    const keep = (data: Buffer) => {
      output.push(`[${fn.name}] ${data.toString('utf8').trimEnd()}`);
      if (output.length > 20_000) output.splice(0, output.length - 20_000);
    };
    // On Netlify a background invocation has an instance of its own; here they all share this machine's cores,
    // and eight segments rendering at once would leave the API functions waiting for a CPU for tens of seconds.
    // They run at a lower priority (their ffmpeg children inherit it), so the API answers as it would beside them.
    if (fn.kind === 'background' && child.pid !== undefined) setPriority(child.pid, BACKGROUND_NICENESS);
    // Lambda's CPU share for the memory, for this instance and everything it spawns (ffmpeg, the render process).
    const cpuGroup = cpu && child.pid !== undefined ? cpu.confine(child.pid) : Promise.resolve(null);
    cpuGroups.add(cpuGroup);
    child.once('exit', () => {
      cpuGroups.delete(cpuGroup);
      cpuGroup
        .then((group) => group?.release())
        .catch((error: unknown) => console.error(`could not release ${fn.name}'s CPU group`, error));
    });
    const spawnedAt = Date.now();
    child.stdout!.on('data', keep);
    child.stderr!.on('data', (data: Buffer) => {
      keep(data);
      verdicts.keepStderr(fn.name, data.toString('utf8'));
    });
    const worker: Worker = {
      fn,
      child,
      cpu: cpuGroup.catch(() => null),
      busy: false,
      ready: new Promise((resolve, reject) => {
        child.once('message', (message: { type: string }) => {
          if (message.type !== 'ready') return reject(new Error(`${fn.name}: unexpected ${message.type}`));
          const ms = Date.now() - spawnedAt;
          cpuUsedBy(worker)
            .then((cpuMs) => {
              worker.coldStart = { functionName: fn.name, ms, cpuMs };
              coldStarts.push(worker.coldStart);
            })
            .finally(resolve)
            .catch(reject);
        });
        child.once('exit', (code) =>
          reject(new Error(`${fn.name} exited with ${code} before it was ready:\n${output.slice(-20).join('\n')}`)),
        );
      }),
    };
    child.on('exit', () => workers.delete(worker));
    workers.add(worker);
    return worker;
  }

  /** CPU the worker's process tree has used since it was spawned (ms), or null without a CPU group. */
  function cpuUsedBy(worker: Worker): Promise<number | null> {
    return worker.cpu.then((group) => group?.usedMs() ?? null).catch(() => null);
  }

  async function takeWorker(fn: BundledFunction): Promise<{ worker: Worker; cold: boolean }> {
    const idleWorker = [...workers].find(
      (worker) => worker.fn === fn && !worker.busy && worker.child.exitCode === null,
    );
    const worker = idleWorker ?? spawnWorker(fn);
    worker.busy = true;
    await worker.ready;
    return { worker, cold: !idleWorker };
  }

  /** One invocation in one worker, with the time and memory limits of its kind. */
  async function invoke(fn: BundledFunction, event: LambdaEvent, sink: Sink): Promise<Outcome> {
    const receivedAt = Date.now();
    let worker: Worker;
    let cold: boolean;
    try {
      ({ worker, cold } = await takeWorker(fn));
    } catch (error) {
      // The runtime could not even load the bundle's entry point.
      sink.end();
      record({
        functionName: fn.name,
        limit: 'brokenBundle',
        detail: `${fn.name} did not start: ${String(error)}${verdicts.stderrTail(fn.name)}`,
      });
      return 'broken';
    }
    return invokeIn({ worker, fn, event, sink, receivedAt, coldStart: cold ? (worker.coldStart ?? null) : null });
  }

  function invokeIn({
    worker,
    fn,
    event,
    sink,
    receivedAt,
    coldStart,
  }: {
    worker: Worker;
    fn: BundledFunction;
    event: LambdaEvent;
    sink: Sink;
    receivedAt: number;
    coldStart: ColdStart | null;
  }): Promise<Outcome> {
    const id = randomUUID();
    const timeLimit = fn.kind === 'background' ? 'backgroundMs' : fn.kind === 'scheduled' ? 'scheduledMs' : 'syncMs';
    const started = Date.now();
    const cpuAtStart = cpuUsedBy(worker);
    const cpuSinceStart = () =>
      Promise.all([cpuAtStart, cpuUsedBy(worker)]).then(([start, now]) =>
        start === null || now === null ? null : now - start,
      );
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      let bytes = 0;
      let invocationPeak = 0;
      let streamTimer: NodeJS.Timeout | undefined;
      const cpuSamples: CpuSample[] = [];
      const cpuTimer =
        fn.kind === 'sync'
          ? undefined
          : setInterval(() => {
              const at = Date.now();
              cpuSinceStart()
                .then((cpuMs) => cpuMs !== null && cpuSamples.push({ at, cpuMs }))
                .catch(() => undefined);
            }, CPU_SAMPLE_MS);
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(streamTimer);
        clearInterval(cpuTimer);
        sampler();
        const endedAt = Date.now();
        // Read before a killed tree goes, and the group with it.
        const recorded =
          fn.kind === 'sync'
            ? Promise.resolve()
            : cpuSinceStart().then((cpuMs) => {
                if (cpuMs !== null) cpuSamples.push({ at: endedAt, cpuMs });
                invocations.push({
                  functionName: fn.name,
                  body: event.body,
                  receivedAt,
                  startedAt: started,
                  endedAt,
                  ms: endedAt - started,
                  peakRss: invocationPeak,
                  outcome,
                  cpuMs,
                  cpuSamples,
                  coldStart,
                });
              });
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
        recorded
          .catch((error: unknown) => console.error('could not record the invocation', error))
          .finally(() => {
            if (outcome === 'killed')
              killTree(worker.child.pid!).catch((error: unknown) =>
                console.error('could not kill the worker tree', error),
              );
            else worker.busy = false;
            resolve(outcome);
          })
          .catch(() => undefined);
      };
      const breach = (limit: LimitName, detail: string) => {
        record({ functionName: fn.name, limit, detail });
        finish('killed');
        sink.end();
      };
      const onMessage = (message: {
        type: string;
        id: string;
        statusCode?: number;
        headers?: Record<string, string[] | string>;
        data?: Uint8Array;
        message?: string;
        code?: string | null;
      }) => {
        if (message.id !== id) return;
        if (message.type === 'head') {
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [
              name.toLowerCase(),
              Array.isArray(value) ? value : [value],
            ]),
          );
          const buffered = /^application\/(problem\+)?json/.test(headers['content-type']?.[0] ?? 'application/json');
          if (fn.kind === 'sync' && !buffered && !streamTimer) {
            streamTimer = setTimeout(
              () =>
                breach(
                  'streamMs',
                  `${fn.name} streamed past ${limits.streamMs} ms: ${event.httpMethod} ${new URL(event.rawUrl).pathname}`,
                ),
              Math.max(0, started + limits.streamMs - Date.now()),
            );
          }
          sink.head(message.statusCode ?? 200, headers);
        } else if (message.type === 'chunk') {
          bytes += message.data!.byteLength;
          if (bytes > limits.responseBytes)
            return breach(
              'responseBytes',
              `${fn.name} streamed more than ${limits.responseBytes} bytes: ${event.httpMethod} ${new URL(event.rawUrl).pathname}`,
            );
          sink.chunk(message.data!);
        } else if (message.type === 'end') {
          clearTimeout(streamTimer);
          sink.end();
        } else if (message.type === 'done') {
          finish('done');
        } else if (message.type === 'failed') {
          output.push(`[${fn.name}] invocation failed: ${message.message}`);
          verdicts.keepStderr(fn.name, `invocation failed: ${message.message}\n`);
          sink.end();
          if (!isMissingModule(message.code)) return finish('failed');
          record({
            functionName: fn.name,
            limit: 'brokenBundle',
            detail: `${fn.name} misses a module in its bundle${verdicts.stderrTail(fn.name)}`,
          });
          finish('broken');
        }
      };
      const onExit = () => {
        output.push(`[${fn.name}] process exited during an invocation`);
        verdicts.keepStderr(fn.name, 'process exited during an invocation\n');
        sink.end();
        finish('failed');
      };
      const timer = setTimeout(
        () =>
          breach(
            timeLimit,
            `${fn.name} ran past ${limits[timeLimit]} ms: ${event.httpMethod} ${new URL(event.rawUrl).pathname}`,
          ),
        limits[timeLimit],
      );
      const sampler = watchMemory(worker.child.pid!, (rss) => {
        if (settled) return;
        peakRss[fn.name] = Math.max(peakRss[fn.name] ?? 0, rss);
        invocationPeak = Math.max(invocationPeak, rss);
        if (rss > limits.memoryBytes)
          breach('memoryBytes', `${fn.name} reached ${Math.round(rss / MiB)} MB after ${Date.now() - started} ms`);
      });
      worker.child.on('message', onMessage);
      worker.child.on('exit', onExit);
      worker.child.send({ type: 'invoke', id, event, deadline: started + limits[timeLimit] });
    });
  }

  function eventFor(
    fn: BundledFunction,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer,
  ): LambdaEvent {
    const text = TEXT_TYPES.test(headers['content-type'] ?? '');
    return {
      rawUrl: url,
      httpMethod: method,
      headers: {
        ...headers,
        'x-nf-site-id': siteID,
        'x-nf-deploy-id': deployID,
        'x-nf-deploy-context': deployContext,
        'x-nf-request-id': randomUUID(),
      },
      body: body.byteLength === 0 ? '' : text ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: body.byteLength > 0 && !text,
      flags: {},
      blobs: blobsContext,
      invocationMetadata: { function_name: fn.name },
    };
  }

  /**
   * Background functions: Netlify has already answered 202; a failed invocation is tried again later, unless
   * it cannot succeed (a broken bundle) or its function has failed too often in a row, which fails the test.
   */
  function runInBackground(fn: BundledFunction, event: LambdaEvent): void {
    const quiet: Sink = { head: () => undefined, chunk: () => undefined, end: () => undefined };
    const attempts = async () => {
      for (let attempt = 0; ; attempt++) {
        const outcome = await invoke(fn, event, quiet);
        const delay = limits.backgroundRetryDelaysMs[attempt];
        if (verdicts.givesUp(fn.name, outcome) || outcome === 'done' || delay === undefined) return;
        await sleep(delay);
      }
    };
    track(attempts());
  }

  function track(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => output.push(`[host] ${String(error)}`))
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  function route(method: string, pathname: string): BundledFunction | null {
    const direct = /^\/\.netlify\/functions\/([^/]+)\/?$/.exec(pathname);
    if (direct) return options.bundle.functions.find((fn) => fn.name === direct[1] && fn.routes.length === 0) ?? null;
    const wanted = method === 'HEAD' ? 'GET' : method;
    return (
      options.bundle.functions.find((fn) =>
        fn.routes.some((r) => r.expression.test(pathname) && (r.methods.length === 0 || r.methods.includes(wanted))),
      ) ?? null
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const method = req.method ?? 'GET';
    const fn = route(method, url.pathname);
    if (!fn) {
      if (options.publicDirectory !== null && (method === 'GET' || method === 'HEAD'))
        return serveStatic(options.publicDirectory ?? join(REPO_ROOT, 'public'), url.pathname, method, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
      ),
    );
    const event = eventFor(fn, method, url.href, headers, body);
    const payloadBytes = Buffer.byteLength(event.body);
    if (payloadBytes > limits.requestBytes) {
      record({ functionName: fn.name, limit: 'requestBytes', detail: `request of ${payloadBytes} bytes refused` });
      res
        .writeHead(413, { 'content-type': 'text/plain' })
        .end(`Request payload of ${payloadBytes} bytes exceeds the ${limits.requestBytes}-byte limit.`);
      return;
    }
    if (fn.kind === 'background') {
      runInBackground(fn, event);
      res.writeHead(202).end();
      return;
    }
    const outcome = await invoke(fn, event, {
      head: (status, responseHeaders) => {
        for (const [name, values] of Object.entries(responseHeaders)) res.setHeader(name, values);
        res.writeHead(status);
      },
      chunk: (data) => res.write(data),
      end: () => res.end(),
    });
    if (outcome === 'killed' && !res.writableEnded) res.destroy();
    if (outcome !== 'done' && !res.headersSent)
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Function invocation failed');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      output.push(`[host] ${String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function runScheduled(name: string): Promise<number> {
    const fn = options.bundle.functions.find((candidate) => candidate.name === name && candidate.kind === 'scheduled');
    if (!fn) throw new Error(`no scheduled function ${name}`);
    let status = 0;
    const body = Buffer.from(JSON.stringify({ next_run: new Date(Date.now() + 60_000).toISOString() }));
    const work = invoke(
      fn,
      eventFor(fn, 'POST', `${url}/.netlify/functions/${name}`, { 'content-type': 'application/json' }, body),
      {
        head: (code) => (status = code),
        chunk: () => undefined,
        end: () => undefined,
      },
    );
    track(work);
    const outcome = await work;
    return outcome === 'done' ? status : 502;
  }

  const crons = options.schedules
    ? options.bundle.functions
        .filter((fn) => fn.kind === 'scheduled' && fn.schedule)
        .map((fn) => new Cron(fn.schedule!, () => void runScheduled(fn.name).catch(() => undefined)))
    : [];

  return {
    url,
    blobsUrl: blobs.url,
    violations,
    failed: verdicts.failed,
    peakRss,
    invocations,
    coldStarts,
    cpuShare: cpu?.share ?? null,
    runScheduled,
    idle: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    logs: () => output.join('\n'),
    close: async () => {
      clearInterval(memoryTimer);
      for (const cron of crons) cron.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await Promise.all([...workers].map((worker) => killTree(worker.child.pid!)));
      await Promise.all([...cpuGroups].map((group) => group.then((held) => held?.release())));
      await blobs.stop();
    },
  };
}

/**
 * The local Blobs server, behind a small proxy: the server rewrites a blob's
 * metadata in place, so a read landing mid-write answers 500, which the blobs
 * client inside a function would wait 5 s to retry. Production has no such
 * window, so reads that answer 500 are retried here after a few milliseconds.
 */
async function startBlobs(directory: string): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const token = randomBytes(16).toString('hex');
  const server = new BlobsServer({ directory, token });
  const { port } = await server.start();
  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(parts) }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  const proxy = createServer((req, res) => {
    void (async () => {
      const parts: Buffer[] = [];
      for await (const part of req) parts.push(part as Buffer);
      const body = Buffer.concat(parts);
      let answer = await forward(req, body);
      for (
        let attempt = 0;
        attempt < 5 && answer.status === 500 && (req.method === 'GET' || req.method === 'HEAD');
        attempt++
      ) {
        await sleep(5 * 2 ** attempt);
        answer = await forward(req, body);
      }
      res.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    token,
    stop: async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.stop();
    },
  };
}
