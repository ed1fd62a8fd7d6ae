import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { endToEndSuite, SUITE_ENV } from '../e2e/suite.js';
import { analysePhoto } from '../../src/media/analyse.js';
import { SirTravClient } from '../../packages/client/src/index.js';
import { makePhoto } from '../helpers/photos.js';
import { healthSchema } from '../../src/schemas/health.js';
import { useDeployHost } from './use-deploy-host.js';

const CLIPS = resolve(import.meta.dirname, '../fixtures/clips');

const host = useDeployHost({ env: { ...SUITE_ENV } });

endToEndSuite(() => ({
  url: host.current.url,
  runScheduled: (name) => host.current.runScheduled(name),
  failed: host.current.failed,
}));

it('renders in a process of its own with MALLOC_ARENA_MAX=2 in force', () => {
  expect(host.current.logs()).toMatch(/"msg":"render process started".*"mallocArenaMax":"2"/);
});

it('an upload through the write function measures the photo for the director, as the sources do', async () => {
  const client = new SirTravClient({ baseUrl: host.current.url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
  const { projectId, token } = await client.createProject('analysis');
  const bytes = await makePhoto('jpeg', { width: 800, height: 600, seed: 7 });
  const media = await client.forProject(projectId, token).uploadPhoto(bytes, 'lisbon.jpg');
  expect(media.analysis).toEqual(await analysePhoto(media, bytes));
  // A face is found there too: the detector's WebAssembly and model travel with the write function.
  const portrait = new Uint8Array(await readFile(resolve(import.meta.dirname, '../fixtures/photos/astronaut.jpg')));
  const person = await client.forProject(projectId, token).uploadPhoto(portrait, 'astronaut.jpg');
  expect(person.analysis?.faces).toHaveLength(1);
  expect(person.analysis).toEqual(await analysePhoto(person, portrait));
});

it('health tells the admin that the render function found its bundled ffmpeg, which the API function does not carry', async () => {
  const admin = { authorization: `Bearer ${SUITE_ENV.SIRTRAV_ADMIN_TOKEN}` };
  const health = healthSchema.parse(await (await fetch(`${host.current.url}/api/health`, { headers: admin })).json());
  expect(health.details?.ffmpeg).toBeNull();
  expect(health.details?.renderer?.ffmpeg?.source).toBe('bundled');
  // Anyone else learns that a renderer has ffmpeg, not where it is, which build, or the providers.
  const open = await (await fetch(`${host.current.url}/api/health`)).json();
  expect(healthSchema.parse(open)).toMatchObject({ ok: true, auth: 'enabled', ffmpegFound: true });
  expect(open).not.toHaveProperty('details');
  expect(JSON.stringify(open)).not.toMatch(/ffmpeg-linux-x64|node_modules|\/usr\/|providers|local/);
});

it('a clip goes in through the write function, checked by its own ffmpeg, and plays in a rendered video', async () => {
  const client = new SirTravClient({ baseUrl: host.current.url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
  const { projectId, token } = await client.createProject('clips');
  const project = client.forProject(projectId, token);
  const clipBytes = new Uint8Array(await readFile(join(CLIPS, 'portrait-rotated-h264.mp4')));
  const clip = await project.uploadPhoto(clipBytes, 'ferry.mp4');
  expect(clip).toMatchObject({ kind: 'clip', width: 1080, height: 1920 });
  // A truncated clip is refused by the same check, quickly and with a 4xx.
  const started = Date.now();
  const truncated = await fetch(`${host.current.url}/api/projects/${projectId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-filename': 'cut.mp4' },
    body: clipBytes.subarray(0, Math.floor(clipBytes.byteLength / 3)),
  });
  expect(truncated.status).toBeGreaterThanOrEqual(400);
  expect(truncated.status).toBeLessThan(500);
  console.log(`truncated clip refused in ${Date.now() - started} ms`);
  await project.uploadPhoto(await makePhoto('jpeg', { width: 800, height: 600, seed: 11 }), 'harbour.jpg');
  const { runId } = await project.startRun({ durationSec: 6, resolution: '360p', aspect: '9:16', narration: false });
  const final = await project.follow(runId, { onEvent: () => undefined });
  expect(final.status).toBe('complete');
  expect(final.storyboard?.shots.some((shot) => shot.kind === 'clip' && shot.mediaId === clip.mediaId)).toBe(true);
  expect(final.outputs?.video).toMatchObject({ width: 360, height: 640 });
}, 240_000);
