import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runChaos } from './chaos/run.js';

/**
 * `npm run chaos [-- --runs 10 --kills 5 --store embedded --seed 1]`: it starts
 * N runs on `npm start`'s host, SIGKILLs the host's whole process group K times
 * at random moments (restarting it each time), lets the runs settle while only
 * their progress logs are followed, and prints what it found. With the default
 * `embedded` store the host keeps its Blobs server inside itself and each kill
 * is sent the instant that server starts a write; `--store proxy` keeps the
 * Blobs server here instead, behind a proxy that fails or stalls `--faults` of
 * its answers. Exits 1 on any problem.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    kills: { type: 'string', default: '5' },
    store: { type: 'string', default: 'embedded' },
    faults: { type: 'string', default: '0.05' },
    stall: { type: 'string', default: '1500' },
    lease: { type: 'string', default: '15000' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    duration: { type: 'string', default: '4' },
    'no-narration': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900000' },
  },
});

const options = {
  runs: Number(values.runs),
  kills: Number(values.kills),
  store: z.enum(['embedded', 'proxy']).parse(values.store),
  faultRate: Number(values.faults),
  stallMs: Number(values.stall),
  leaseMs: Number(values.lease),
  seed: Number(values.seed),
  durationSec: Number(values.duration),
  narration: !values['no-narration'],
  timeoutMs: Number(values.timeout),
  onLog: (line: string) => console.log(`  ${line}`),
};
const faults =
  options.store === 'proxy'
    ? `, ${(options.faultRate * 100).toFixed(1)}% of Blobs requests failed or stalled`
    : ', Blobs inside the host';
console.log(
  `chaos: ${options.runs} runs, ${options.kills} SIGKILLs of the host's process group${faults}, lease ${options.leaseMs} ms, seed ${options.seed}`,
);
const result = await runChaos(options);
const rows: Array<readonly [string, string | number]> = [
  ['runs', result.runs],
  ['host process-group SIGKILLs', result.kills],
  ['… sent while one of its Blobs writes was half done', result.killsMidWrite],
  [
    '… leaving blobs with torn metadata / bodies never renamed',
    `${result.tears.tornMetadata} / ${result.tears.unrenamedBodies}`,
  ],
  ['runs ended (terminal event followed over SSE)', `${result.ended}/${result.runs}`],
  ['followed logs 1..n ending in one terminal event', result.followedHistories],
  ['stored logs 1..n ending in one terminal event', result.cleanHistories],
  ['complete', result.complete],
  ['complete runs serving their video (GET …/video, full decode)', `${result.servedVideos}/${result.complete}`],
  ['exactly one video', result.oneVideo],
  ['5xx to the followers while killing / after the end', `${result.status5xxDuring} / ${result.status5xxAfter}`],
  ['orphan ffmpeg processes', result.orphanFfmpeg],
  ['orphan blobs (repair dry run)', result.orphanBlobs],
  ['leftover scratch dirs', result.leftoverScratchDirs],
  ['invocations per run', result.attempts.join(' ')],
  ...(options.store === 'proxy'
    ? [
        [
          'Blobs requests / 500 / 503 / stalls',
          `${result.faults.requests} / ${result.faults.status500} / ${result.faults.status503} / ${result.faults.stalls}`,
        ] as const,
      ]
    : []),
  ['time to settle after the last kill', `${(result.settleMsAfterLastKill / 1000).toFixed(1)} s`],
  ['total', `${(result.totalMs / 1000).toFixed(1)} s`],
];
console.log('\n| what | count |\n|---|---|');
for (const [label, value] of rows) console.log(`| ${label} | ${value} |`);
if (result.tears.keys.length > 0)
  console.log(`\nwhat the kills tore:\n${result.tears.keys.map((key) => `- ${key}`).join('\n')}`);
if (!result.ok) console.log(`\nproblems:\n${result.problems.map((p) => `- ${p}`).join('\n')}`);
process.exit(result.ok ? 0 : 1);
