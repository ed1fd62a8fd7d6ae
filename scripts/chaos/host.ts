import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface HostOptions {
  port: number;
  env: Record<string, string>;
  /** Appended to with the host's output. */
  logFile: string;
}

/**
 * `npm start`'s entry (scripts/start.ts) as one process, `node --import tsx`,
 * so a SIGKILL hits the host itself and nothing else (tsx's CLI would put a
 * second process in between).
 */
export class Host {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: HostOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...this.options.env, PORT: String(this.options.port) };
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(this.options.logFile, { flags: 'a' });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const up = await fetch(`${this.url}/api/openapi.json`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      if (child.exitCode !== null) throw new Error(`host exited with ${child.exitCode} before it served (see ${this.options.logFile})`);
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error('host did not start within 30 s');
  }

  /** SIGKILL, this process only: its children must end on their own. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
  }
}
