import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Connections accepted so far. */
  connections: () => number;
  /** When each connection was closed (by either side), in ms since the epoch. */
  closedAt: number[];
  close(): Promise<void>;
}

/** What a receiver does with a request whose body it has read. */
export type Answer = (res: ServerResponse, index: number) => void;

/** Answers with the given statuses in turn (the last one repeats). */
export const statuses =
  (list: number[]): Answer =>
  (res, index) =>
    res.writeHead(list[Math.min(index, list.length - 1)]!).end();

/** Sends `200` headers, then one byte of body every `everyMs`, never finishing. */
export const trickle =
  (everyMs: number): Answer =>
  (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => res.write('.'), everyMs);
    res.on('close', () => clearInterval(timer));
  };

/** Never answers: the request is read and left hanging. */
export const silent: Answer = () => undefined;

/**
 * A webhook receiver on 127.0.0.1 (never any other address): records every
 * request, then answers it as `answer` says.
 */
export async function startReceiver(answer: Answer): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const closedAt: number[] = [];
  let connections = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      answer(res, received.length - 1);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closedAt.push(Date.now());
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/sirtrav`,
    port,
    received,
    connections: () => connections,
    closedAt,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
