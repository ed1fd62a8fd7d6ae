import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of a process and all its descendants, in MB, read from /proc (Linux): all of it, and its largest branch (one child of the root with everything it
 * started: a render process and its ffmpeg, as one function invocation would hold them).
 */
export function treeRss(rootPid: number): { totalMb: number; largestMb: number } {
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
  let kb = 0;
  for (const pid of parents.keys()) {
    const branch = branchOf(pid);
    if (branch === null) continue;
    try {
      const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      kb += own;
      if (branch !== rootPid) branches.set(branch, (branches.get(branch) ?? 0) + own);
    } catch {
      // Gone.
    }
  }
  return { totalMb: kb / 1024, largestMb: Math.max(0, ...branches.values()) / 1024 };
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
): { stop: () => { totalMb: number; largestMb: number } } {
  const peak = { totalMb: 0, largestMb: 0 };
  const timer = setInterval(() => {
    const now = treeRss(rootPid);
    peak.totalMb = Math.max(peak.totalMb, now.totalMb);
    peak.largestMb = Math.max(peak.largestMb, now.largestMb);
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
