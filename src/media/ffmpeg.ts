import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
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

function bundledPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
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
