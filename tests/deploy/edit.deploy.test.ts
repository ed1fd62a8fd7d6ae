import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SirTravClient } from '../../packages/client/src/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { fpsOf, frameSpans } from '../../src/render/graph.js';
import { parseId } from '../../src/storage/index.js';
import { SUITE_ENV } from '../e2e/suite.js';
import { uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useDeployHost } from './use-deploy-host.js';

// The source is rendered in segments (12 s of 720p split in three); the edit finds its pieces and layout in Blobs,
// cuts them with the bundled ffmpeg, and draws only the replaced shot.
const host = useDeployHost({ env: { ...SUITE_ENV, SIRTRAV_SEGMENT_SECONDS: '1.5' } });

const scratch = mkdtempSync(join(tmpdir(), 'sirtrav-edit-deploy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The MD5 of every decoded frame of a video's picture (Debian's ffmpeg, outside the deploy). */
function frameHashes(video: Uint8Array, name: string): string[] {
  const file = join(scratch, `${name}.mp4`);
  writeFileSync(file, video);
  const made = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(made.status, made.stderr).toBe(0);
  return made.stdout
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}

it('an edit through the built bundles copies the source from Blobs and draws only the replaced shot', async () => {
  const client = new SirTravClient({ baseUrl: host.current.url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
  const { projectId, token } = await client.createProject('edit');
  const project = client.forProject(projectId, token);
  const api = (path: string) => `${host.current.url}/api/projects/${projectId}${path}`;
  const headers = { authorization: `Bearer ${token}` };
  await uploadPhotos(api, 5, 930, headers);
  const follow = async (runId: string) => {
    const events: ProgressEvent[] = [];
    const final = await project.follow(runId, { onEvent: (event) => events.push(event), signal: host.current.failed });
    host.current.failed.throwIfAborted();
    expect(final.status, host.current.logs().slice(-3000)).toBe('complete');
    return events;
  };
  const { runId: source } = await project.startRun({ durationSec: 12, resolution: '720p' });
  await follow(source);
  const [added] = await uploadPhotos(api, 1, 990, headers);
  const { runId } = await project.startRun({
    editOf: parseId(source),
    edits: [{ op: 'replace', shot: 2, mediaId: parseId(added!.mediaId) }],
  });
  const events = await follow(runId);
  const composing = events.filter((e) => e.agent === 'compose').map((e) => e.message ?? '');
  expect(
    composing.some((message) => /copying \d+ of 360 frames/.test(message)),
    composing.join('\n'),
  ).toBe(true);
  const [sourceState, state] = await Promise.all(
    [source, runId].map(async (id) => (await (await fetch(api(`/runs/${id}`), { headers })).json()) as RunState),
  );
  expect(state!.status).toBe('complete');
  expect(state!.storyboard?.shots[2]?.mediaId).toBe(added!.mediaId);
  const shots = sourceState!.storyboard!.shots;
  const span = frameSpans(shots, fpsOf(sourceState!.storyboard!))[2]!;
  const reused = state!.outputs?.video?.reused;
  expect(reused).toEqual({ frames: 360 - (span.end - span.start), of: 360 });
  const [sourceVideo, editedVideo] = await Promise.all([project.downloadVideo(source), project.downloadVideo(runId)]);
  const mp4 = await inspectMp4(editedVideo);
  expect(mp4).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '1280x720' });
  expect(Math.abs(mp4.durationSec - 12)).toBeLessThan(0.05);
  // Outside the shot and its transitions, every decoded frame is the source's.
  const [before, after] = [frameHashes(sourceVideo, 'source'), frameHashes(editedVideo, 'edited')];
  expect(after).toHaveLength(before.length);
  const differing = after.flatMap((hash, frame) => (hash === before[frame] ? [] : [frame]));
  expect(differing.length).toBeGreaterThan((span.end - span.start) / 2);
  expect(differing.every((frame) => frame >= span.start && frame < span.end)).toBe(true);
});
