import { SirTravClient } from '../src/client/index.js';
import { buildSite, unpackBuild } from '../tests/deploy/host/bundle.js';
import { startDeployHost } from '../tests/deploy/host/host.js';
import { projectWithPhonePhotos, renderAndDownload } from '../tests/deploy/long-render.js';

const MB = 1e6;
const MiB = 1024 * 1024;
const ADMIN = 'bench-admin-token-0123456789abcdef';
const fmt = (value: number, digits = 1) => value.toFixed(digits);

/**
 * The deploy bundles as Netlify runs them: each function's size against the
 * 250 MB limit, then 60 s and 180 s at 1080p from 40 phone photos rendered by
 * the built render function under the deploy host, with its peak memory
 * (Node, the render process and ffmpeg together) against the 1024 MB limit.
 * SIRTRAV_DEPLOY_REUSE_BUILD=1 reuses the last `netlify build`.
 */
export async function benchDeploy(): Promise<void> {
  if (process.env.SIRTRAV_DEPLOY_REUSE_BUILD !== '1') await buildSite();
  const bundle = await unpackBuild();
  console.log('\n## Deploy bundles (`netlify build --offline`)');
  console.log('| function | kind | zip | unzipped | share of the 250 MB limit |');
  console.log('|---|---|---|---|---|');
  for (const fn of bundle.functions)
    console.log(`| ${fn.name} | ${fn.kind} | ${fmt(fn.zipBytes / MB)} MB | ${fmt(fn.unzippedBytes / MB)} MB | ${fmt((100 * fn.unzippedBytes) / 250e6, 0)} % |`);

  console.log('\n## Render function at 1080p, 40 phone photos (12 MP), under the deploy host');
  console.log('| video | render wall | peak RSS (process tree) | of 1024 MB | run invocation | segment invocations | video size | ranges | download |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const durationSec of [60, 180]) {
    const host = await startDeployHost({
      bundle,
      env: { SIRTRAV_API_SECRET: 'bench-secret-0123456789abcdef0123', SIRTRAV_ADMIN_TOKEN: ADMIN },
      publicDirectory: null,
    });
    try {
      const client = new SirTravClient({ baseUrl: host.url, token: ADMIN });
      const project = await projectWithPhonePhotos(client, 40);
      const render = await renderAndDownload(project, { durationSec, resolution: '1080p', theme: 'Bench' }, host.failed);
      // The run's invocation goes on a little after the video is ready (its webhook, its lease).
      await host.idle();
      const rss = host.peakRss['run-pipeline-background'] ?? 0;
      const renders = host.invocations.filter((invocation) => invocation.functionName === 'run-pipeline-background');
      const segments = renders.filter((invocation) => /"segment"\s*:/.test(invocation.body));
      const runs = renders.filter((invocation) => !segments.includes(invocation));
      const peakOf = (list: typeof renders) => Math.max(0, ...list.map((invocation) => invocation.peakRss));
      const segmentCell = segments.length ? `${segments.length} × ≤ ${fmt(peakOf(segments) / MiB, 0)} MB` : 'none (whole)';
      const limits = host.violations.length ? ` (limits crossed: ${host.violations.map((v) => v.limit).join(', ')})` : '';
      console.log(
        `| ${durationSec} s ${render.status}${limits} | ${fmt(render.renderSec)} s | ${fmt(rss / MiB, 0)} MB (target ≤ 700) | ${fmt((100 * rss) / (1024 * MiB), 0)} % | ${fmt(peakOf(runs) / MiB, 0)} MB | ${segmentCell} | ${fmt(render.video.byteLength / MiB)} MiB | ${Math.ceil(render.video.byteLength / (16 * MiB))} | ${fmt(render.downloadSec)} s |`,
      );
    } finally {
      await host.close();
    }
  }
}
