import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setEnvironmentContext } from '@netlify/blobs';
import { progressLogDoc } from '../src/progress/event-log.js';
import { startBlobsSandbox } from '../src/server/blobs-sandbox.js';
import type { LocalServer } from '../src/server/local-server.js';
import { keys, writeJSON, type Id } from '../src/storage/index.js';
import { fmt } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const DAY = 86_400_000;

async function seed(expired: number, kept: number): Promise<void> {
  const jobs = Array.from({ length: expired + kept }, (_, i) => i);
  const worker = async () => {
    for (let i = jobs.shift(); i !== undefined; i = jobs.shift()) {
      const projectId = `p_bench${i % 20}` as Id;
      const runId = `r_${String(i).padStart(6, '0')}` as Id;
      const at = new Date(Date.now() - (i < expired ? 45 : 2) * DAY);
      await writeJSON(
        keys.progress(projectId, runId),
        progressLogDoc,
        { projectId, runId, events: [], lastSeq: 0, dropped: 0, terminal: true },
        { at },
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function pass(expired: number, kept: number) {
  const directory = await mkdtemp(join(tmpdir(), 'sirtrav-retention-'));
  const sandbox = await startBlobsSandbox(directory);
  try {
    await seed(expired, kept);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/retention-pass.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await new Promise((done) => child.on('exit', done));
    return JSON.parse(out.trim().split('\n').at(-1)!) as {
      examined: number;
      durationMs: number;
      maxRssMb: number;
      deleted: { progress: number };
    };
  } finally {
    await sandbox.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

/** Retention over many expired progress logs: blobs examined per second, and memory that must not grow with the count. */
export async function benchRetention(server: LocalServer): Promise<void> {
  const small = await pass(1_000, 1_000);
  const large = await pass(10_000, 1_000);
  // The other sections keep using the bench server's Blobs.
  const blobs = server.blobs!;
  setEnvironmentContext({ siteID: blobs.siteID, token: blobs.token, edgeURL: blobs.url, uncachedEdgeURL: blobs.url });
  console.log('\n## Retention: expired progress logs (45 days) among 1,000 kept ones, local Blobs server');
  console.log('| expired | examined | deleted | blobs examined / s | peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const [label, run] of [
    ['1,000', small],
    ['10,000', large],
  ] as const) {
    console.log(
      `| ${label} | ${run.examined} | ${run.deleted.progress} | ${fmt(run.examined / (run.durationMs / 1000), 0)} | ${fmt(run.maxRssMb, 0)} MB |`,
    );
  }
  console.log(`| ratio 10,000 / 1,000 | | | | ${fmt(large.maxRssMb / small.maxRssMb)} (flat is 1.00) |`);
}
