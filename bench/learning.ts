import { deriveIndex } from '../src/learning/derive.js';
import { memoryIndexDoc } from '../src/learning/memory.js';
import { newId } from '../src/new-id.js';
import { createProject } from '../src/projects/index.js';
import { createRunState, newRun, toComplete, toRunning } from '../src/runs/index.js';
import type { HistoryEntry } from '../src/schemas/memory.js';
import type { LocalServer } from '../src/server/local-server.js';
import { keys, parseId, writeJSON, type Id } from '../src/storage/index.js';
import { median, percentile, printTable, timeEach } from './stats.js';
import { oneShotStoryboard } from '../tests/helpers/storyboard.js';

const RATINGS = 100;
const MOODS = ['calm', 'happy', 'energetic', 'nostalgic', 'dramatic'];
const STYLES = ['acoustic', 'pop', 'rock', 'piano', 'cinematic'];

async function completeRuns(projectId: Id, count: number): Promise<Id[]> {
  const ids: Id[] = [];
  for (let i = 0; i < count; i++) {
    const runId = newId('r');
    const at = new Date(Date.UTC(2026, 5, 1, 0, i));
    const storyboard = oneShotStoryboard({
      theme: 'Bench',
      mood: MOODS[i % 5]!,
      musicStyle: STYLES[i % 5]!,
      durationSec: 20,
      mediaId: parseId('m'),
      choice: { source: 'request', reason: 'bench' },
    });
    const outputs = {
      video: { bytes: 1, durationSec: 20, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' },
    };
    await createRunState(
      toComplete(toRunning(newRun({ projectId, runId, request: {}, mediaIds: [], now: at })), storyboard, outputs),
    );
    ids.push(runId);
  }
  return ids;
}

/** Rating latency over HTTP with 500 runs already in the memory index, against an empty index. */
export async function benchLearning(server: LocalServer): Promise<void> {
  const empty = (await createProject('bench-empty')).projectId;
  const full = (await createProject('bench-full')).projectId;
  const history: HistoryEntry[] = Array.from({ length: 500 }, (_, i) => ({
    runId: `r_history_${i}` as Id,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    rating: i % 3 === 0 ? 'bad' : 'good',
    theme: `Trip ${i}`,
    musicStyle: STYLES[i % 5]!,
    mood: MOODS[(i * 7) % 5]!,
    durationSec: 15 + (i % 30),
    ratedAt: new Date(Date.UTC(2025, 0, 2, 0, i)).toISOString(),
  }));
  await writeJSON(keys.memoryIndex(full), memoryIndexDoc, deriveIndex(history, 500));
  const runsEmpty = await completeRuns(empty, RATINGS + 5);
  const runsFull = await completeRuns(full, RATINGS + 5);
  const rate = (projectId: Id, runId: Id, i: number) =>
    fetch(`${server.url}/api/projects/${projectId}/runs/${runId}/evaluation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rating: i % 2 ? 'good' : 'bad', comment: 'bench' }),
    }).then((r) => {
      if (r.status !== 201) throw new Error(`rating answered ${r.status}`);
    });
  for (let i = 0; i < 5; i++) {
    await rate(empty, runsEmpty[RATINGS + i]!, i);
    await rate(full, runsFull[RATINGS + i]!, i);
  }
  // Interleaved, so both see the same store size (the local server's listing grows with every blob).
  const emptyTimes: number[] = [];
  const fullTimes: number[] = [];
  for (let i = 0; i < RATINGS; i++) {
    emptyTimes.push(...(await timeEach(1, () => rate(empty, runsEmpty[i]!, i))));
    fullTimes.push(...(await timeEach(1, () => rate(full, runsFull[i]!, i))));
  }
  printTable(`Learning: POST …/evaluation over HTTP, ${RATINGS} ratings each`, [
    { name: 'history starts empty', median: median(emptyTimes), p99: percentile(emptyTimes, 99) },
    {
      name: 'history holds 500 runs (the bound)',
      median: median(fullTimes),
      p99: percentile(fullTimes, 99),
      ratio: median(fullTimes) / median(emptyTimes),
    },
  ]);
}
