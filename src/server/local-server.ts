import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { errorFields, log } from '../log.js';
import type { OnRequestCallback } from '@netlify/blobs/server';
import { startBlobsSandbox, type BlobsSandbox } from './blobs-sandbox.js';
import { acceptsMethod, loadFunctions, matchFunctionPath, type LoadedFunction } from './functions.js';

export interface LocalServerOptions {
  port?: number;
  host?: string;
  /** Where the local Blobs sandbox keeps its data. */
  blobsDirectory?: string;
  functionsDirectory?: string;
  publicDirectory?: string;
  /** Sees every request the functions make to the Blobs sandbox. */
  onBlobsRequest?: OnRequestCallback;
  /**
   * Runs every function scheduled `* * * * *` (the watchdog) this often, as
   * Netlify runs it every minute. Unset: scheduled functions do not run.
   */
  everyMinuteMs?: number;
  /**
   * `inherited`: use the Blobs environment the process was given
   * (NETLIFY_BLOBS_CONTEXT) instead of starting a sandbox on blobsDirectory.
   */
  blobs?: 'sandbox' | 'inherited';
}

export interface LocalServer {
  url: string;
  blobs: BlobsSandbox | null;
  functions: LoadedFunction[];
  /** Resolves when every background invocation started so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the Netlify functions over real HTTP with a local Blobs sandbox:
 * routes from each function's `config.path`, `-background` functions answered
 * with 202 and run on, everything else from `public/`.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  if (options.blobs !== 'inherited' && !options.blobsDirectory)
    throw new Error('startLocalServer needs blobsDirectory unless blobs is "inherited"');
  const blobs =
    options.blobs === 'inherited'
      ? null
      : await startBlobsSandbox(
          options.blobsDirectory!,
          options.onBlobsRequest ? { onRequest: options.onBlobsRequest } : {},
        );
  const functions = await loadFunctions(options.functionsDirectory ?? join(ROOT, 'netlify/functions'));
  const publicDirectory = options.publicDirectory ?? join(ROOT, 'public');
  const background = new Set<Promise<unknown>>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      log.error('local server failed a request', errorFields(error));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'The local server failed.' } }));
    });
  });
  // An idle connection outlives any client's wish to reuse it (fetch keeps one a few seconds): with Node's 5 s, a
  // client on a busy machine could send its next request on a connection the server was closing, and see it reset.
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    const url = new URL(req.url ?? '/', origin);
    const target = routeFor(url.pathname, req.method ?? 'GET');
    if (!target) return serveStatic(publicDirectory, url.pathname, req.method ?? 'GET', res);

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const request = toRequest(req, url, abort.signal);
    const context = { params: {}, requestId: crypto.randomUUID(), waitUntil: (p: Promise<unknown>) => track(p) };

    if (target.background) {
      // Netlify answers 202 at once and runs the function for up to 15 minutes.
      const body = await request.arrayBuffer();
      track(
        Promise.resolve(
          target.handler(
            new Request(request.url, {
              method: request.method,
              headers: request.headers,
              body: body.byteLength ? body : null,
            }),
            context,
          ),
        ),
      );
      res.writeHead(202).end();
      return;
    }
    const response = (await target.handler(request, context)) ?? new Response(null, { status: 204 });
    await writeResponse(response, res, abort.signal);
  }

  function track(promise: Promise<unknown>): void {
    const tracked = promise
      .catch((error) => log.error('background function failed', errorFields(error)))
      .finally(() => background.delete(tracked));
    background.add(tracked);
  }

  function routeFor(pathname: string, method: string): LoadedFunction | undefined {
    const direct = /^\/\.netlify\/functions\/([A-Za-z0-9_-]+)$/.exec(pathname);
    // As on Netlify, a function with its own path is not reachable at its default URL.
    if (direct) return functions.find((fn) => fn.name === direct[1] && fn.paths.length === 0);
    const onPath = functions.filter((fn) => fn.paths.some((pattern) => matchFunctionPath(pattern, pathname)));
    return onPath.find((fn) => acceptsMethod(fn, method)) ?? onPath[0];
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : (options.host ?? '127.0.0.1')}:${port}`;
  const schedules = options.everyMinuteMs ? startSchedules(functions, url, options.everyMinuteMs) : null;

  return {
    url,
    blobs,
    functions,
    idle: async () => {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    close: async () => {
      await schedules?.stop();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.allSettled([...background]);
      await blobs?.stop();
    },
  };
}

/**
 * Calls each function scheduled every minute on a timer, one call at a time
 * per function (a slow pass is not overlapped by the next), with the request
 * Netlify sends a scheduled function (`{"next_run"}` in a POST).
 */
function startSchedules(functions: LoadedFunction[], origin: string, intervalMs: number): { stop(): Promise<void> } {
  const due = functions.filter((fn) => fn.schedule === '* * * * *');
  const running = new Map<string, Promise<void>>();
  const tick = () => {
    for (const fn of due) {
      if (running.has(fn.name)) continue;
      const request = new Request(`${origin}/.netlify/functions/${fn.name}`, {
        method: 'POST',
        body: JSON.stringify({ next_run: new Date(Date.now() + intervalMs).toISOString() }),
      });
      const call = Promise.resolve()
        .then(() => fn.handler(request, { params: {}, requestId: crypto.randomUUID() }))
        .then(async (response) => void (await response?.body?.cancel()))
        .catch((error) => log.error('scheduled function failed', { name: fn.name, ...errorFields(error) }))
        .finally(() => running.delete(fn.name));
      running.set(fn.name, call);
    }
  };
  const timer = setInterval(tick, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...running.values()]);
    },
  };
}

/** A file of the public site (GET and HEAD only), as Netlify's CDN serves the publish directory. */
export async function serveStatic(
  publicDirectory: string,
  pathname: string,
  method: string,
  res: ServerResponse,
): Promise<void> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(
    /^(\.\.[/\\])+/,
    '',
  );
  const file = join(publicDirectory, relative);
  const info = file.startsWith(publicDirectory) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile() || (method !== 'GET' && method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
  });
  if (method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

function toRequest(req: IncomingMessage, url: URL, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = name === 'set-cookie' ? [...((headers[name] as string[] | undefined) ?? []), value] : value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((drain) => res.once('drain', drain));
    }
  } catch {
    // The client went away mid-body.
  } finally {
    res.end();
  }
}
