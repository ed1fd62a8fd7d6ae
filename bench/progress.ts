import { setTimeout as sleep } from 'node:timers/promises';
import { followProgress } from '../packages/client/src/index.js';
import { createRunState, newRun, toCancelled, updateRunState } from '../src/runs/index.js';
import { getConfig } from '../src/config.js';
import { appendProgress } from '../src/progress/event-log.js';
import { createProject } from '../src/projects/index.js';
import { newId } from '../src/new-id.js';
import { openStore } from '../src/storage/index.js';
import type { LocalServer } from '../src/server/local-server.js';
import { fmt, median, percentile, timeEach } from './stats.js';

const EVENTS = 200;
const now = () => performance.timeOrigin + performance.now();

async function queuedRun() {
  const { projectId } = await createProject('bench');
  const runId = newId('r');
  await createRunState(newRun({ projectId, runId, request: {}, mediaIds: [] }));
  return { projectId, runId };
}

/** Append → SSE client latency over 200 events, and append throughput against a bare setJSON. */
export async function benchProgress(server: LocalServer): Promise<void> {
  const pollMs = getConfig().SIRTRAV_PROGRESS_POLL_MS;
  const { projectId, runId } = await queuedRun();
  const latencies: number[] = [];
  const following = followProgress(`${server.url}/api/projects/${projectId}/runs/${runId}/progress`, {
    onEvent: (event) => {
      const sentAt = event.data?.sentAt;
      if (typeof sentAt === 'number') latencies.push(now() - sentAt);
    },
  });
  for (let i = 0; i < EVENTS; i++) {
    await appendProgress(projectId, runId, {
      agent: 'compose',
      status: 'progress',
      progress: i / EVENTS,
      data: { sentAt: now() },
    });
    await sleep(15);
  }
  await updateRunState(projectId, runId, toCancelled);
  await appendProgress(projectId, runId, { agent: 'pipeline', status: 'cancelled', progress: 1 });
  await following;

  const second = await queuedRun();
  const appendTimes = await timeEach(EVENTS, (i) =>
    appendProgress(second.projectId, second.runId, { agent: 'compose', status: 'progress', progress: i / EVENTS }),
  );
  const store = openStore('progress');
  const bareTimes = await timeEach(EVENTS, (i) =>
    store.setJSON('bench/bare-progress.json', { seq: i, status: 'progress' }),
  );
  const appendPerSec = 1000 / (appendTimes.reduce((a, b) => a + b, 0) / EVENTS);
  const barePerSec = 1000 / (bareTimes.reduce((a, b) => a + b, 0) / EVENTS);

  console.log(`\n## Progress: ${EVENTS} events, poll interval ${pollMs} ms`);
  console.log('| measure | value | ratio |');
  console.log('|---|---|---|');
  console.log(
    `| append → SSE client latency, median | ${fmt(median(latencies))} ms | ${fmt(median(latencies) / pollMs)} × poll interval |`,
  );
  console.log(
    `| append → SSE client latency, p99 | ${fmt(percentile(latencies, 99))} ms | ${fmt(percentile(latencies, 99) / pollMs)} × poll interval |`,
  );
  console.log(`| events delivered | ${latencies.length} of ${EVENTS} | |`);
  console.log(
    `| append throughput (CAS on a log of up to 200 events) | ${fmt(appendPerSec, 0)} events/s | ${fmt(appendPerSec / barePerSec)} × bare setJSON (${fmt(barePerSec, 0)}/s) |`,
  );
}
