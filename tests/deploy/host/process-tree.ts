import { readdir, readFile } from 'node:fs/promises';

/** Every live process id below `root` (children, grandchildren…), `root` included, read from /proc. */
export async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const children = parents.get(ppid) ?? [];
    children.push(Number(name));
    parents.set(ppid, children);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return tree;
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Resident memory of a process and all its descendants (ffmpeg included), in bytes. */
export async function treeResidentBytes(root: number): Promise<number> {
  const pids = await processTree(root);
  const sizes = await Promise.all(pids.map(residentBytes));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** SIGKILLs a process and everything below it, children first found, as the platform does at a limit. */
export async function killTree(root: number): Promise<void> {
  for (const pid of (await processTree(root)).reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
