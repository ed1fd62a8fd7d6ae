import { describe, expect, it } from 'vitest';
import { SirTravClient } from '../../packages/client/src/index.js';
import { SUITE_ENV } from '../e2e/suite.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { projectWithPhonePhotos, renderAndDownload } from './long-render.js';
import { useDeployHost } from './use-deploy-host.js';

const host = useDeployHost({ env: { ...SUITE_ENV } });
const MiB = 1024 * 1024;

describe('a long video from the deploy bundles', () => {
  it(
    '180 s at 1080p from 40 phone photos renders inside the function limits and downloads whole, in ranges',
    async () => {
      const client = new SirTravClient({ baseUrl: host.current.url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
      const project = await projectWithPhonePhotos(client, 40);
      const render = await renderAndDownload(
        project,
        { durationSec: 180, resolution: '1080p', theme: 'A month of walks' },
        host.current.failed,
      );
      expect(render.status, host.current.logs().slice(-3000)).toBe('complete');
      const mp4 = await inspectMp4(render.video);
      expect(mp4.decodeErrors).toBe('');
      expect(mp4.size).toBe('1920x1080');
      expect(Math.abs(mp4.durationSec - 180)).toBeLessThan(0.25);
      const rss = host.current.peakRss['run-pipeline-background'] ?? 0;
      console.log(
        `180 s 1080p: render ${render.renderSec.toFixed(1)} s, video ${(render.video.byteLength / MiB).toFixed(1)} MiB downloaded in ${Math.ceil(render.video.byteLength / (16 * MiB))} ranges (${render.downloadSec.toFixed(1)} s), render function peak RSS ${(rss / MiB).toFixed(0)} MB`,
      );
    },
    15 * 60_000,
  );
});
