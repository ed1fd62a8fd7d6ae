import { createServer, request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  /** Where requests go when they are let through. */
  target: string;
  /** Share of requests (0..1) answered with a fault instead of the store's answer. */
  faultRate: number;
  /** How long a stalled request is held before it is forwarded. */
  stallMs: number;
  /** Deterministic choices: a seeded random number in [0, 1). */
  random: () => number;
}

export interface FaultProxy {
  url: string;
  counts: { requests: number; status500: number; status503: number; stalls: number };
  /** From now on every request is let through untouched. */
  calm(): void;
  close(): Promise<void>;
}

/**
 * A small HTTP proxy in front of the local Blobs server that misbehaves on a
 * share of requests, as a store under strain does: it answers 500 or 503
 * without forwarding (the write is not made), or holds the request for
 * `stallMs` and then forwards it.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const counts = { requests: 0, status500: 0, status503: 0, stalls: 0 };
  let faultRate = options.faultRate;
  const inFlight = new Set<ClientRequest>();
  const server: Server = createServer((req, res) => {
    counts.requests++;
    const roll = options.random();
    const fault = roll < faultRate ? Math.floor((roll / faultRate) * 3) : -1;
    if (fault === 0 || fault === 1) {
      if (fault === 0) counts.status500++;
      else counts.status503++;
      req.resume();
      res.writeHead(fault === 0 ? 500 : 503, { 'content-type': 'text/plain' }).end('injected fault');
      return;
    }
    const forward = () => {
      // The client went while the request was held: nothing to forward.
      if (req.destroyed) return;
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      inFlight.add(upstream);
      upstream.on('close', () => inFlight.delete(upstream));
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      // A client that goes mid-request (a killed host) takes its upstream request with it:
      // left open, the store would wait for the rest of a body that never comes.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    };
    if (fault === 2) {
      counts.stalls++;
      req.pause();
      setTimeout(() => {
        forward();
      }, options.stallMs);
      return;
    }
    forward();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    calm: () => {
      faultRate = 0;
    },
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        for (const upstream of inFlight) upstream.destroy();
        server.close(() => done());
      }),
  };
}

/** mulberry32: a small seeded generator, so a chaos run can be repeated. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
