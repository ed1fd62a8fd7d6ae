import { expect, it } from 'vitest';
import { SirTravClient } from '../../packages/client/src/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import { SUITE_ENV } from '../e2e/suite.js';
import { uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useDeployHost } from './use-deploy-host.js';

// A 12 s 720p video split in three, so the segmented path runs through the built bundle: each segment a background
// invocation of its own, under the same limits.
const host = useDeployHost({ env: { ...SUITE_ENV, SIRTRAV_SEGMENT_SECONDS: '1.5' } });

it('renders a video in three segments, each its own invocation of the built render function, joined into one', async () => {
  const client = new SirTravClient({ baseUrl: host.current.url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
  const { projectId, token } = await client.createProject('segments');
  const project = client.forProject(projectId, token);
  await uploadPhotos((path) => `${host.current.url}/api/projects/${projectId}${path}`, 5, 900, {
    authorization: `Bearer ${token}`,
  });
  const { runId } = await project.startRun({ durationSec: 12, resolution: '720p' });
  const events: ProgressEvent[] = [];
  // A broken bundle ends the wait at once, with its reason.
  const final = await project.follow(runId, { onEvent: (event) => events.push(event), signal: host.current.failed });
  host.current.failed.throwIfAborted();
  expect(final.status, host.current.logs().slice(-3000)).toBe('complete');
  expect(events.find((e) => e.agent === 'compose' && e.status === 'completed')?.data).toMatchObject({ segments: 3 });
  const compose = events.filter((e) => e.agent === 'compose').map((e) => e.progress);
  expect(compose).toEqual([...compose].sort((a, b) => a - b));
  const mp4 = await inspectMp4(await project.downloadVideo(runId));
  expect(mp4).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '1280x720' });
  expect(Math.abs(mp4.durationSec - 12)).toBeLessThan(0.05);
});
