import { parseArgs } from 'node:util';
import { runChaos } from './chaos/run.js';

/**
 * `npm run chaos [-- --runs 10 --kills 5 --faults 0.05 --seed 1]`: a benchmark,
 * not a test. It starts N runs on `npm start`'s host, SIGKILLs the host K times
 * at random moments (restarting it each time) while a proxy fails or stalls a
 * share of the Blobs server's answers, lets the runs settle with nobody
 * polling, and prints what it found.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    kills: { type: 'string', default: '5' },
    faults: { type: 'string', default: '0.05' },
    stall: { type: 'string', default: '1500' },
    lease: { type: 'string', default: '15000' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    duration: { type: 'string', default: '6' },
    'no-narration': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900000' },
  },
});

const options = {
  runs: Number(values.runs),
  kills: Number(values.kills),
  faultRate: Number(values.faults),
  stallMs: Number(values.stall),
  leaseMs: Number(values.lease),
  seed: Number(values.seed),
  durationSec: Number(values.duration),
  narration: !values['no-narration'],
  timeoutMs: Number(values.timeout),
  onLog: (line: string) => console.log(`  ${line}`),
};
console.log(
  `chaos: ${options.runs} runs, ${options.kills} SIGKILLs of the host, ${(options.faultRate * 100).toFixed(1)}% of Blobs requests failed or stalled, lease ${options.leaseMs} ms, seed ${options.seed}`,
);
const result = await runChaos(options);
console.log('\n| what | count |\n|---|---|');
for (const [label, value] of [
  ['runs', result.runs],
  ['host SIGKILLs', result.kills],
  ['complete', result.complete],
  ['exactly one video', result.oneVideo],
  ['playable videos (full decode)', result.playableVideos],
  ['histories 1..n ending in one terminal event', result.cleanHistories],
  ['orphan ffmpeg processes', result.orphanFfmpeg],
  ['orphan blobs (repair dry run)', result.orphanBlobs],
  ['leftover scratch dirs', result.leftoverScratchDirs],
  ['invocations per run', result.attempts.join(' ')],
  ['Blobs requests / 500 / 503 / stalls', `${result.faults.requests} / ${result.faults.status500} / ${result.faults.status503} / ${result.faults.stalls}`],
  ['time to settle after the last kill', `${(result.settleMsAfterLastKill / 1000).toFixed(1)} s`],
  ['total', `${(result.totalMs / 1000).toFixed(1)} s`],
] as const)
  console.log(`| ${label} | ${value} |`);
if (!result.ok) console.log(`\nproblems:\n${result.problems.map((p) => `- ${p}`).join('\n')}`);
process.exit(result.ok ? 0 : 1);
