import { readdir, readFile } from 'node:fs/promises';

/** Live processes whose command line contains `needle` (Linux /proc), e.g. ffmpeg started for one scratch directory. */
export async function processesMatching(
  needle: string,
  name = 'ffmpeg',
): Promise<Array<{ pid: number; cmdline: string }>> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // A zombie has exited; it only waits for its parent to collect it.
      if (/^\d+ \(.*\) Z /.test(stat)) continue;
      const argv0 = cmdline.split(' ')[0] ?? '';
      if (argv0.endsWith(name) && cmdline.includes(needle)) found.push({ pid: Number(entry), cmdline });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
