import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { getConfig } from '../config.js';

const run = promisify(execFile);

export interface FfmpegInfo {
  path: string;
  version: string;
  source: 'env' | 'path' | 'bundled';
}

async function probe(path: string, source: FfmpegInfo['source']): Promise<FfmpegInfo | null> {
  try {
    const { stdout } = await run(path, ['-hide_banner', '-version'], { timeout: 10_000 });
    const version = /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
    return { path, version, source };
  } catch {
    return null;
  }
}

/**
 * The binary of `@ffmpeg-installer/<platform>-<arch>`, found from its own
 * package.json. The render function's bundle ships that package (netlify.toml's
 * `included_files`) but not the `@ffmpeg-installer/ffmpeg` wrapper, which the
 * bundler cannot trace, so the wrapper is never asked.
 */
function bundledPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve(`@ffmpeg-installer/${process.platform}-${process.arch}/package.json`);
    return join(dirname(manifest), process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
  } catch {
    return null;
  }
}

let resolved: { key: string; info: Promise<FfmpegInfo | null> } | undefined;

/** `FFMPEG_PATH`, else `ffmpeg` on PATH, else the binary bundled from npm; `null` if none runs. */
export function findFfmpeg(): Promise<FfmpegInfo | null> {
  const configured = getConfig().FFMPEG_PATH;
  const key = configured ?? '';
  if (resolved?.key === key) return resolved.info;
  const info = (async () => {
    if (configured) return probe(configured, 'env');
    const onPath = await probe('ffmpeg', 'path');
    if (onPath) return onPath;
    const bundled = bundledPath();
    return bundled ? probe(bundled, 'bundled') : null;
  })();
  resolved = { key, info };
  return info;
}
