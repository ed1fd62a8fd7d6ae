import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { FFMPEG_BUILDS } from '../helpers/ffmpeg-builds.js';

const run = promisify(execFile);
const PACKAGE = join(import.meta.dirname, '../../packages/ffmpeg-linux-x64');

it('the bundled ffmpeg has every component the project uses, and does each job the project gives it', async () => {
  const { stdout } = await run('bash', [join(PACKAGE, 'check.sh'), FFMPEG_BUILDS.bundled], { timeout: 280_000 });
  expect(stdout).toMatch(/^ffmpeg version 7\.1\.5 /);
  expect(stdout).toContain('all components and jobs present');
}, 300_000);

it('the committed binary is the one SOURCES.txt accounts for', () => {
  const sha256 = createHash('sha256').update(readFileSync(FFMPEG_BUILDS.bundled)).digest('hex');
  expect(readFileSync(join(PACKAGE, 'SOURCES.txt'), 'utf8').split('\n')[0]).toBe(
    `ffmpeg ${sha256}  (the binary, stripped)`,
  );
});
