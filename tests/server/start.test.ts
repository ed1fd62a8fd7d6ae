import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

it('npm start declares itself local: with no secret it answers GET /api/health with 200, auth off, within 30 s', async () => {
  const port = await freePort();
  const blobs = await mkdtemp(join(tmpdir(), 'sirtrav-start-'));
  // Nothing of the test's own declaration is passed on: `npm start` must make it.
  const { SIRTRAV_LOCAL: _local, SIRTRAV_API_SECRET: _secret, ...env } = process.env;
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), SIRTRAV_BLOBS_DIR: blobs, LOG_LEVEL: 'warn' },
    stdio: 'ignore',
    detached: true,
  });
  try {
    const deadline = Date.now() + 30_000;
    let health: { status: number; auth?: string } = { status: 0 };
    while (Date.now() < deadline && health.status !== 200) {
      health = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        async (r) => ({ status: r.status, auth: ((await r.json()) as { auth?: string }).auth }),
        () => ({ status: 0 }),
      );
      if (health.status !== 200) await sleep(200);
    }
    expect(health).toEqual({ status: 200, auth: 'disabled' });
  } finally {
    // npm, its shell and the server: the whole process group.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await rm(blobs, { recursive: true, force: true });
  }
});
