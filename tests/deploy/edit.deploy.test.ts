import { expect, it } from 'vitest';
import { SirTravClient } from '../../packages/client/src/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { parseId } from '../../src/storage/index.js';
import { SUITE_ENV } from '../e2e/suite.js';
import { uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useDeployHost } from './use-deploy-host.js';

// The source is rendered in segments (12 s of 720p split in three). The bundled ffmpeg has no `segment` muxer, which
// cuts the source at its keyframes, so on a deploy an edit renders in full: this test holds it to saying so, with the
// new photo in the video, until the cut no longer needs that muxer.
const host = useDeployHost({ env: { ...SUITE_ENV, SIRTRAV_SEGMENT_SECONDS: '1.5' } });

it('an edit through the built bundles renders the edited storyboard and says why it could not copy the source', async () => {
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
  const composing = events.filter((e) => e.agent === 'compose').map((e) => e.message);
  expect(
    composing.some((message) => /not cut as its layout says; rendering the whole video/.test(message ?? '')),
    composing.join('\n'),
  ).toBe(true);
  const state = (await (await fetch(api(`/runs/${runId}`), { headers })).json()) as RunState;
  expect(state.status).toBe('complete');
  const reused = state.outputs?.video?.reused;
  expect(reused).toMatchObject({ frames: 0, of: 360, fallback: expect.stringMatching(/layout/) });
  expect(state.storyboard?.shots[2]?.mediaId).toBe(added!.mediaId);
  const mp4 = await inspectMp4(await project.downloadVideo(runId));
  expect(mp4).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '1280x720' });
  expect(Math.abs(mp4.durationSec - 12)).toBeLessThan(0.05);
});
