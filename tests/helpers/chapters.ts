import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The chapters of an MP4 as `ffprobe -show_chapters` lists them. */
export async function probeChapters(
  bytes: Uint8Array,
): Promise<Array<{ startSec: number; endSec: number; title: string }>> {
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-chapters-'));
  try {
    const file = join(dir, 'video.mp4');
    await writeFile(file, bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', file]);
    const { chapters } = JSON.parse(stdout) as {
      chapters: Array<{ start_time: string; end_time: string; tags?: { title?: string } }>;
    };
    return chapters.map((c) => ({
      startSec: Number(c.start_time),
      endSec: Number(c.end_time),
      title: c.tags?.title ?? '',
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
