import { setTimeout as sleep } from 'node:timers/promises';
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
 * `npm start`'s entry (scripts/start.ts) as one process, `node --import tsx`
 * (tsx's CLI would put a second process in between), leading a process group
 * of its own: a kill takes the group, as a crash of the machine or a
 * `kill -9 -PGID` of `npm start` would, its render processes and ffmpeg with it.
 */
export class Host {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: HostOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...this.options.env,
      PORT: String(this.options.port),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
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
      if (child.exitCode !== null)
        throw new Error(`host exited with ${child.exitCode} before it served (see ${this.options.logFile})`);
      await sleep(100);
    }
    throw new Error('host did not start within 30 s');
  }

  /** SIGKILL to the host's whole process group, sent at once (synchronously); `kill()` also waits for the host to be gone. */
  killNow(): void {
    if (this.child?.pid === undefined || this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  }

  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
  }

  /** The host's process group id (its pid: it leads the group). */
  get pgid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the host process is still there (the group leader). */
  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
  }
}
