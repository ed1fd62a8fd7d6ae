import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { SirTravClient } from '../packages/client/src/index.js';
import { buildSite, unpackBuild, type BundledFunction } from '../tests/deploy/host/bundle.js';
import { startDeployHost, type DeployHost, type InvocationRecord } from '../tests/deploy/host/host.js';
import { projectWithPhonePhotos, renderAndDownload } from '../tests/deploy/long-render.js';

const MB = 1e6;
const MiB = 1024 * 1024;
const ADMIN = 'bench-admin-token-0123456789abcdef';
const fmt = (value: number, digits = 1) => value.toFixed(digits);
const sec = (ms: number) => `${fmt(ms / 1000)} s`;
/** Segment invocations at once here: with the run beside them, as many as two cores hold at Lambda's share. */
const SEGMENTS_AT_ONCE = 2;

/**
 * The deploy bundles as Netlify runs them: each function's size against the 250 MB limit and its largest parts,
 * then 60 s and 180 s at 1080p from 40 phone photos rendered by the built render function under the deploy host,
 * each instance capped at Lambda's CPU share for 1024 MB (0.58 vCPU; SIRTRAV_DEPLOY_CPU changes it). It prints
 * every invocation's wall time, the cold starts, the peak memory (Node, the render process and ffmpeg together)
 * against the 1024 MB limit, and the critical path a segmented render would have on Netlify, where every segment
 * runs in an instance of its own: this machine runs two at once beside the run, so the path is projected from the walls.
 * SIRTRAV_DEPLOY_REUSE_BUILD=1 reuses the last `netlify build`; SIRTRAV_BENCH_DURATIONS=60 renders only 60 s.
 */
export async function benchDeploy(): Promise<void> {
  if (process.env.SIRTRAV_DEPLOY_REUSE_BUILD !== '1') await buildSite();
  const bundle = await unpackBuild();
  console.log('\n## Deploy bundles (`netlify build --offline`)');
  console.log('| function | kind | zip | unzipped | share of the 250 MB limit |');
  console.log('|---|---|---|---|---|');
  for (const fn of bundle.functions)
    console.log(
      `| ${fn.name} | ${fn.kind} | ${fmt(fn.zipBytes / MB)} MB | ${fmt(fn.unzippedBytes / MB)} MB | ${fmt((100 * fn.unzippedBytes) / 250e6, 0)} % |`,
    );
  const render = bundle.functions.find((fn) => fn.name === 'run-pipeline-background');
  if (render) await printLargestParts(render);

  const durations = (process.env.SIRTRAV_BENCH_DURATIONS ?? '60,180').split(',').map(Number);
  for (const durationSec of durations) {
    const host = await startDeployHost({
      bundle,
      env: {
        SIRTRAV_API_SECRET: 'bench-secret-0123456789abcdef0123',
        SIRTRAV_ADMIN_TOKEN: ADMIN,
        SIRTRAV_SEGMENT_CONCURRENCY: String(SEGMENTS_AT_ONCE),
      },
      publicDirectory: null,
    });
    try {
      const client = new SirTravClient({ baseUrl: host.url, token: ADMIN });
      const project = await projectWithPhonePhotos(client, 40);
      const rendered = await renderAndDownload(
        project,
        { durationSec, resolution: '1080p', theme: 'Bench' },
        host.failed,
      );
      // The run's invocation goes on a little after the video is ready (its webhook, its lease).
      await host.idle();
      const cpu = host.cpuShare === null ? 'the whole machine' : `${fmt(host.cpuShare, 2)} vCPU per instance`;
      console.log(`\n## ${durationSec} s at 1080p, 40 phone photos (12 MP), under the deploy host at ${cpu}`);
      const limits = host.violations.length
        ? ` (limits crossed: ${host.violations.map((v) => v.limit).join(', ')})`
        : '';
      console.log(
        `${rendered.status}${limits}: render ${fmt(rendered.renderSec)} s as measured here, ${fmt(rendered.video.byteLength / MiB)} MiB, downloaded in ${Math.ceil(rendered.video.byteLength / (16 * MiB))} ranges in ${fmt(rendered.downloadSec)} s`,
      );
      printInvocations(host);
      printCriticalPath(host);
    } finally {
      await host.close();
    }
  }
}

/** The render bundle's largest parts: each package under node_modules, and the function's own code. */
async function printLargestParts(fn: BundledFunction): Promise<void> {
  const parts = new Map<string, number>();
  for (const entry of await readdir(fn.dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const segments = relative(fn.dir, path).split(sep);
    const at = segments.lastIndexOf('node_modules');
    const name =
      at < 0
        ? '(function code)'
        : segments[at + 1]!.startsWith('@')
          ? `${segments[at + 1]}/${segments[at + 2]}`
          : segments[at + 1]!;
    parts.set(name, (parts.get(name) ?? 0) + (await stat(path)).size);
  }
  console.log(`\n### Largest parts of ${fn.name} (${fmt(fn.unzippedBytes / MB)} MB unzipped)`);
  console.log('| part | unzipped | share |');
  console.log('|---|---|---|');
  for (const [name, bytes] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`| ${name} | ${fmt(bytes / MB)} MB | ${fmt((100 * bytes) / fn.unzippedBytes, 0)} % |`);
  }
}

const isSegment = (invocation: InvocationRecord) => /"segment"\s*:/.test(invocation.body);

function printInvocations(host: DeployHost): void {
  const renders = host.invocations.filter((invocation) => invocation.functionName === 'run-pipeline-background');
  const t0 = Math.min(...renders.map((invocation) => invocation.receivedAt));
  console.log('| invocation | received at | wall (with cold start) | peak RSS (process tree) | of 1024 MB | outcome |');
  console.log('|---|---|---|---|---|---|');
  for (const invocation of renders.sort((a, b) => a.receivedAt - b.receivedAt)) {
    const segment = /"segment"\s*:\s*(\d+)/.exec(invocation.body)?.[1];
    const name = segment === undefined ? 'run' : `segment ${Number(segment) + 1}`;
    const rss = invocation.peakRss / MiB;
    console.log(
      `| ${name} | +${sec(invocation.receivedAt - t0)} | ${sec(invocation.endedAt - invocation.receivedAt)} | ${fmt(rss, 0)} MB | ${fmt((100 * rss) / 1024, 0)} % | ${invocation.outcome} |`,
    );
  }
  const starts = host.coldStarts.map((start) => start.ms).sort((a, b) => a - b);
  const byFunction = [...new Set(host.coldStarts.map((start) => start.functionName))].map((name) => {
    const own = host.coldStarts.filter((start) => start.functionName === name).map((start) => start.ms);
    return `${name} ${own.map((ms) => `${ms} ms`).join(', ')}`;
  });
  console.log(
    `cold starts (process start to bundle loaded): median ${starts[Math.floor(starts.length / 2)] ?? 0} ms; ${byFunction.join('; ')}`,
  );
  const peaks = Object.entries(host.peakRss).map(([name, bytes]) => `${name} ${fmt(bytes / MiB, 0)} MB`);
  console.log(`peak RSS per function (process tree): ${peaks.join(', ')}`);
}

/** A log line a function printed (`{"ts":…,"msg":…}`), with its time. */
function logged(host: DeployHost, message: string): { at: number; ms: number }[] {
  return host
    .logs()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${message}"`))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { ts: string; ms: number })
    .map((entry) => ({ at: Date.parse(entry.ts), ms: entry.ms }));
}

/**
 * On Netlify each segment has an instance of its own, so a segmented render takes: the run's work until it asks
 * for the segments, then the longer of the slowest segment (cold start included) and the soundtrack (made in the
 * run's invocation meanwhile), then the join and what follows it. Each part is measured here under the quota.
 */
function printCriticalPath(host: DeployHost): void {
  const renders = host.invocations.filter((invocation) => invocation.functionName === 'run-pipeline-background');
  const segments = renders.filter(isSegment);
  const run = renders.filter((invocation) => !isSegment(invocation)).sort((a, b) => b.ms - a.ms)[0];
  const soundtrack = logged(host, 'soundtrack made').at(-1);
  const join = logged(host, 'picture joined').at(-1);
  if (!run || !soundtrack || !join)
    return console.log('critical path: not measured (the run did not log its soundtrack and join)');
  const joinStarted = join.at - join.ms;
  const tail = run.endedAt - joinStarted;
  if (segments.length === 0) {
    return console.log(
      `critical path: ${sec(run.endedAt - run.startedAt)} (one invocation; soundtrack ${sec(soundtrack.ms)}, join ${sec(join.ms)})`,
    );
  }
  const asked = Math.min(...segments.map((invocation) => invocation.receivedAt)) - run.startedAt;
  const slowest = Math.max(...segments.map((invocation) => invocation.endedAt - invocation.receivedAt));
  const soundtrackDone = soundtrack.at - run.startedAt;
  const path = Math.max(asked + slowest, soundtrackDone) + tail;
  const bound = asked + slowest >= soundtrackDone ? 'the slowest segment' : 'the soundtrack';
  console.log(
    `critical path projected for ${segments.length} segments, each in an instance of its own: ${sec(path)} = ${sec(asked)} until the segments are asked for + max(slowest segment ${sec(slowest)}, soundtrack done at ${sec(soundtrackDone)}) + ${sec(tail)} join (${sec(join.ms)}) and store; bound by ${bound}`,
  );
}
