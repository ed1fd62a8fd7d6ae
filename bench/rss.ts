import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process and all its descendants, in MB, read from /proc (Linux): all of it, and its largest branch (one child of the root with everything it
 * started: a render process and its ffmpeg, as one function invocation would hold them).
 */
export function treeRss(rootPid: number): { totalMb: number; largestMb: number; largestPrivateMb: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  /** The root's child whose branch `pid` is in; the root itself for the root, null outside the tree. */
  const branchOf = (pid: number): number | null => {
    for (let current: number | undefined = pid, hops = 0; current && hops < 64; hops++) {
      const parent = parents.get(current);
      if (current === rootPid) return rootPid;
      if (parent === rootPid) return current;
      current = parent;
    }
    return null;
  };
  const branches = new Map<number, number>();
  /** Per branch, the memory its processes do not share: RSS less the pages mapped from files (Node's and ffmpeg's binaries). */
  const privateKb = new Map<number, number>();
  let kb = 0;
  for (const pid of parents.keys()) {
    const branch = branchOf(pid);
    if (branch === null) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      const own = field('VmRSS');
      kb += own;
      if (branch !== rootPid) {
        branches.set(branch, (branches.get(branch) ?? 0) + own);
        privateKb.set(branch, (privateKb.get(branch) ?? 0) + field('RssAnon') + field('RssShmem'));
      }
    } catch {
      // Gone.
    }
  }
  return {
    totalMb: kb / 1024,
    largestMb: Math.max(0, ...branches.values()) / 1024,
    largestPrivateMb: Math.max(0, ...privateKb.values()) / 1024,
  };
}

/** Samples the tree's RSS every `intervalMs` until stopped; returns the peak. */
export function samplePeakRss(rootPid: number, intervalMs = 50): { stop: () => number } {
  const sampler = samplePeakTreeRss(rootPid, intervalMs);
  return { stop: () => sampler.stop().totalMb };
}

/** Samples the tree's RSS until stopped; returns the peaks of the whole tree and of its largest process. */
export function samplePeakTreeRss(
  rootPid: number,
  intervalMs = 50,
): { stop: () => { totalMb: number; largestMb: number; largestPrivateMb: number } } {
  const peak = { totalMb: 0, largestMb: 0, largestPrivateMb: 0 };
  const timer = setInterval(() => {
    const now = treeRss(rootPid);
    peak.totalMb = Math.max(peak.totalMb, now.totalMb);
    peak.largestMb = Math.max(peak.largestMb, now.largestMb);
    peak.largestPrivateMb = Math.max(peak.largestPrivateMb, now.largestPrivateMb);
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
