import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SirTravClient } from '../packages/client/src/index.js';
import { startLocalServer, type LocalServer } from '../src/server/local-server.js';
import { AGENTS, ProgressBars } from './progress-bars.js';

/**
 * `npm run demo`: uploads the sample photos, makes a video with live progress
 * per agent, and saves it in out/. Uses SIRTRAV_URL (with SIRTRAV_TOKEN) when
 * set; otherwise starts the local server with its Blobs sandbox in-process.
 */
const ROOT = resolve(import.meta.dirname, '..');

let server: LocalServer | undefined;
const baseUrl =
  process.env.SIRTRAV_URL ??
  (server = await startLocalServer({ blobsDirectory: join(ROOT, '.netlify', 'sirtrav-blobs') })).url;
const token = process.env.SIRTRAV_TOKEN ?? process.env.SIRTRAV_ADMIN_TOKEN;
const client = new SirTravClient({ baseUrl, ...(token ? { token } : {}) });

try {
  const health = await client.health();
  const details = health.details;
  const providers = Object.entries(details?.providers ?? {}).map(([agent, provider]) => `${agent}=${provider}`);
  console.log(
    `SirTrav ${health.version} at ${baseUrl} (auth ${health.auth}, ffmpeg ${details?.ffmpeg?.version ?? (health.ffmpegFound ? 'found' : 'missing')}, providers: ${providers.join(', ') || 'hidden'})`,
  );

  const projectId = process.env.SIRTRAV_PROJECT_ID;
  const project = projectId
    ? client.forProject(projectId)
    : await client.createProject('SirTrav demo').then((p) => client.forProject(p.projectId, p.token));
  const files = (await readdir(join(ROOT, 'samples'))).filter((file) => /\.(jpe?g|png|webp|heic)$/i.test(file)).sort();
  for (const file of files) {
    const media = await project.uploadPhoto(await readFile(join(ROOT, 'samples', file)), file);
    console.log(`  uploaded ${file.padEnd(26)} ${media.width}×${media.height}  taken ${media.takenAt ?? 'unknown'}`);
  }

  const { runId } = await project.startRun({ theme: 'Three days in Portugal', durationSec: 18, resolution: '720p' });
  console.log(`run ${runId} started`);
  const bars = new ProgressBars();
  const final = await project.follow(runId, { onEvent: (event) => bars.update(event) });
  bars.finish();
  if (final.status !== 'complete') {
    console.error(`run ${final.status}${final.status === 'failed' ? `: ${final.error.message}` : ''}`);
    process.exitCode = 1;
  } else {
    const video = await project.downloadVideo(runId);
    await mkdir(join(ROOT, 'out'), { recursive: true });
    const file = join(ROOT, 'out', `${runId}.mp4`);
    await writeFile(file, video);
    const { storyboard } = final;
    const outputs = { video: final.outputs.video! };
    console.log(`\nsaved ${file}`);
    console.log(
      `  ${outputs.video.durationSec} s, ${outputs.video.width}×${outputs.video.height}, ${(video.byteLength / 1e6).toFixed(1)} MB, ${outputs.video.videoCodec}/${outputs.video.audioCodec}`,
    );
    console.log(
      `  "${storyboard?.theme}": ${storyboard?.shots.length} shots, ${storyboard?.mood} / ${storyboard?.musicStyle} (${storyboard?.choice.reason})`,
    );
    console.log(`  narration: ${storyboard?.narration.script || '(none)'}`);
    for (const segment of storyboard?.narration.segments ?? [])
      console.log(`    ${segment.startSec.toFixed(2).padStart(6)} s  ${segment.text}`);
    if (storyboard?.music)
      console.log(
        `  music: ${storyboard.music.bpm} bpm, first beat at ${storyboard.music.beatOffsetSec} s; cuts at ${storyboard.shots.map((shot) => shot.startSec).join(', ')} s`,
      );
    for (const agent of AGENTS) {
      const timing = final.timings?.[agent];
      console.log(
        `  ${agent.padEnd(9)} ${timing?.ms !== undefined ? `${(timing.ms / 1000).toFixed(2)} s` : '-'.padStart(6)}  ${final.providers?.[agent] ?? ''}`,
      );
    }
  }
} finally {
  await server?.close();
}
