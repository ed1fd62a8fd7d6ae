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
 * The binary of `@sirtrav/ffmpeg-linux-x64` (packages/ffmpeg-linux-x64: a
 * static ffmpeg 7.1 built for this project), found from its own package.json.
 * npm links the package into node_modules, and the render function's bundle
 * ships it there (netlify.toml's `included_files`), so one lookup serves the
 * source tree and the deployed function. It is an optional dependency for
 * Linux x86-64 only: elsewhere npm skips it and ffmpeg comes from PATH.
 */
function bundledPath(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('@sirtrav/ffmpeg-linux-x64/package.json');
    return join(dirname(manifest), 'ffmpeg');
  } catch {
    return null;
  }
}

let resolved: { key: string; info: Promise<FfmpegInfo | null> } | undefined;

/** `FFMPEG_PATH`, else `ffmpeg` on PATH, else the bundled binary; `null` if none runs. */
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
