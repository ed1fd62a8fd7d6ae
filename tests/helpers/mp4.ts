import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '../../src/media/ffmpeg.js';

/** Streams and duration of an MP4 as ffmpeg itself reads them (a full decode, so a broken file fails). */
export async function inspectMp4(bytes: Uint8Array) {
  const dir = mkdtempSync(join(tmpdir(), 'sirtrav-mp4-'));
  try {
    const file = join(dir, 'video.mp4');
    writeFileSync(file, bytes);
    const ffmpeg = (await findFfmpeg())!.path;
    const decode = spawnSync(ffmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    const info = spawnSync(ffmpeg, ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr;
    const [, h, m, s] = /Duration: (\d+):(\d+):([\d.]+)/.exec(info)!;
    return {
      decodeErrors: decode.stderr.trim(),
      durationSec: Number(h) * 3600 + Number(m) * 60 + Number(s),
      video: /Video: (\w+)/.exec(info)?.[1],
      audio: /Audio: (\w+)/.exec(info)?.[1],
      size: /Video: .*?, (\d+x\d+)/.exec(info)?.[1],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
