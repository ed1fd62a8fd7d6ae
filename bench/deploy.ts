import { readdir, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, relative, sep } from 'node:path';
import { SirTravClient } from '../packages/client/src/index.js';
import { buildSite, unpackBuild, type BundledFunction } from '../tests/deploy/host/bundle.js';
import { startDeployHost } from '../tests/deploy/host/host.js';
import { projectWithPhonePhotos, renderAndDownload } from '../tests/deploy/long-render.js';
import { printCriticalPath, printInvocations, watchLoad } from './deploy-path.js';

const MB = 1e6;
const MiB = 1024 * 1024;
const ADMIN = 'bench-admin-token-0123456789abcdef';
const fmt = (value: number, digits = 1) => value.toFixed(digits);
/** Segment invocations at once here: with the run beside them, as many as two cores hold at Lambda's share. */
const SEGMENTS_AT_ONCE = 2;
/**
 * Segment settings passed on to the functions when set here, to compare them without a new build (concurrency only
 * changes how long the bench takes here: each segment's figures are its own).
 */
const SEGMENT_SETTINGS = ['SIRTRAV_SEGMENTS_MAX', 'SIRTRAV_SEGMENT_SECONDS', 'SIRTRAV_SEGMENT_CONCURRENCY'] as const;

/**
 * The deploy bundles as Netlify runs them: each function's size against the 250 MB limit and its largest parts,
 * then 60 s and 180 s at 1080p from 40 phone photos rendered by the built render function under the deploy host,
 * each instance capped at Lambda's CPU share for 1024 MB (0.58 vCPU; SIRTRAV_DEPLOY_CPU changes it). It prints
 * every invocation's wall time and CPU time, the cold starts, the peak memory (Node, the render process and ffmpeg
 * together) against the 1024 MB limit, and the critical path a segmented render would have on Netlify, where every
 * segment runs in an instance of its own: this machine runs two at once beside the run, so the path is projected,
 * part by part, from the CPU each part used (CPU ÷ share, which a loaded machine does not stretch) and from the walls.
 * SIRTRAV_DEPLOY_REUSE_BUILD=1 reuses the last `netlify build`; SIRTRAV_BENCH_DURATIONS=60 renders only 60 s;
 * SIRTRAV_SEGMENTS_MAX, SIRTRAV_SEGMENT_SECONDS and SIRTRAV_SEGMENT_CONCURRENCY are passed on to the functions.
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
        ...Object.fromEntries(
          SEGMENT_SETTINGS.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
        ),
      },
      publicDirectory: null,
    });
    try {
      const client = new SirTravClient({ baseUrl: host.url, token: ADMIN });
      const project = await projectWithPhonePhotos(client, 40);
      const load = watchLoad();
      const rendered = await renderAndDownload(
        project,
        { durationSec, resolution: '1080p', theme: 'Bench' },
        host.failed,
      );
      // The run's invocation goes on a little after the video is ready (its webhook, its lease).
      await host.idle();
      const cpu = host.cpuShare === null ? 'the whole machine' : `${fmt(host.cpuShare, 2)} vCPU per instance`;
      const settings = SEGMENT_SETTINGS.map((name) => `${name}=${process.env[name] ?? '(default)'}`).join(', ');
      console.log(`\n## ${durationSec} s at 1080p, 40 phone photos (12 MP), under the deploy host at ${cpu}`);
      console.log(`${settings}; this machine: ${cpus().length} cores, ${load()} during the render`);
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
