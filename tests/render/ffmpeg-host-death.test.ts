import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/render/ffmpeg.js';
import { processesMatching } from '../../scripts/chaos/processes.js';
import { FFMPEG_BUILDS } from '../helpers/ffmpeg-builds.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FFMPEGS = [
  ['debian', process.env.FFMPEG_PATH ?? 'ffmpeg'],
  ['bundled', FFMPEG_BUILDS.bundled],
] as const;

describe('ffmpeg never outlives its host', () => {
  for (const [label, ffmpeg] of FFMPEGS) {
    it(`a SIGKILLed host takes its ffmpeg with it (${label} ffmpeg)`, async () => {
      const marker = `sirtrav-orphan-check-${randomUUID()}`;
      // Only the host process is killed, not its process group: nothing else may stop ffmpeg.
      const host = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'tests/fixtures/ffmpeg-host.ts'), ffmpeg, marker],
        { cwd: ROOT, stdio: 'ignore' },
      );
      const exited = new Promise<void>((done) => host.on('exit', () => done()));
      await waitFor('ffmpeg to start', async () => (await processesMatching(marker)).length === 1, 30_000);
      host.kill('SIGKILL');
      await exited;
      await waitFor('ffmpeg to end with its host', async () => (await processesMatching(marker)).length === 0, 5_000);
      expect(await processesMatching(marker)).toEqual([]);
    });
  }

  it('an aborted render stops ffmpeg, and a missing binary is reported as a missing tool', async () => {
    const marker = `sirtrav-abort-check-${randomUUID()}`;
    const controller = new AbortController();
    const render = runFfmpeg(
      'ffmpeg',
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=320x240:rate=25',
        '-t',
        '600',
        '-metadata',
        `title=${marker}`,
        '-f',
        'null',
        '-',
      ],
      {
        signal: controller.signal,
      },
    );
    await waitFor('ffmpeg to start', async () => (await processesMatching(marker)).length === 1, 30_000);
    controller.abort();
    await expect(render).rejects.toMatchObject({ name: 'RenderCancelledError' });
    await waitFor('ffmpeg to stop', async () => (await processesMatching(marker)).length === 0, 5_000);
    await expect(runFfmpeg('/nonexistent/ffmpeg', ['-version'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
