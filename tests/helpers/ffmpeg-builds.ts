import { join } from 'node:path';

/**
 * The two ffmpeg builds the media tests check: Debian's 5.1, and the project's
 * own static 7.1 (packages/ffmpeg-linux-x64) that the deployed render function
 * runs, taken from the source tree so that no install step stands between a
 * rebuilt binary and its tests.
 */
export const FFMPEG_BUILDS = {
  debian: '/usr/bin/ffmpeg',
  bundled: join(import.meta.dirname, '../../packages/ffmpeg-linux-x64/ffmpeg'),
};
