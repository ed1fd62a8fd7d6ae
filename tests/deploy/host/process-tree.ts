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

const PAGE_BYTES = 4096;

/**
 * Resident memory of each root's process and all its descendants (ffmpeg
 * included), in bytes, from one pass over /proc: each process's stat line
 * gives its parent and its resident pages.
 */
export async function treesResidentBytes(roots: number[]): Promise<Map<number, number>> {
  const parents = new Map<number, number[]>();
  const resident = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // The command name may hold spaces and parentheses: fields resume after the last ')' (field 3, the state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(name);
    const ppid = Number(fields[1]);
    resident.set(pid, Number(fields[21]) * PAGE_BYTES);
    parents.set(ppid, [...(parents.get(ppid) ?? []), pid]);
  }
  const totals = new Map<number, number>();
  for (const root of roots) {
    let total = 0;
    for (const queue = [root]; queue.length > 0;) {
      const pid = queue.pop()!;
      total += resident.get(pid) ?? 0;
      queue.push(...(parents.get(pid) ?? []));
    }
    totals.set(root, total);
  }
  return totals;
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
