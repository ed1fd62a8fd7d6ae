import { expect, it } from 'vitest';
import { endToEndSuite, SUITE_ENV } from '../e2e/suite.js';
import { analysePhoto } from '../../src/media/analyse.js';
import { SirTravClient } from '../../packages/client/src/index.js';
import { makePhoto } from '../helpers/photos.js';
import { healthSchema } from '../../src/schemas/health.js';
import { useDeployHost } from './use-deploy-host.js';

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
