import { access, constants, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** cgroup v1's CPU controller, where a quota caps a process tree (its children inherit the group). */
const CPU_CGROUP_ROOT = '/sys/fs/cgroup/cpu';
/** cgroup v1's CPU accounting controller: where it is mounted apart from `cpu`, a second group counts the same tree. */
const CPUACCT_CGROUP_ROOT = '/sys/fs/cgroup/cpuacct';
const PERIOD_US = 100_000;

/**
 * Lambda gives a function CPU in proportion to its memory: one vCPU at 1769 MB, so about 0.58 at Netlify's 1024 MB
 * (docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 */
export const lambdaCpuShare = (memoryMb: number): number => memoryMb / 1769;

/** One function instance's CPU: the group its process tree runs in. */
export interface CpuGroup {
  /**
   * CPU time the instance's process tree has used since it was confined, in ms (user and system, every core):
   * the work done, whatever else this machine was running meanwhile.
   */
  usedMs(): Promise<number>;
  release(): Promise<void>;
}

export interface CpuQuota {
  /** vCPUs each instance gets. */
  share: number;
  /** Puts `pid` (and so everything it will spawn) in a group of its own, capped at the share. */
  confine(pid: number): Promise<CpuGroup>;
}

/**
 * The CPU each function instance gets, from SIRTRAV_DEPLOY_CPU: `lambda` (the default: Lambda's share for the
 * memory), a number of vCPUs, or `unlimited`. A quota that cannot be set (no cgroup v1 CPU controller, not root) is
 * an error, not a silent fall back to the whole machine: the figures would be wrong.
 */
export async function cpuQuotaFromEnvironment(
  memoryMb: number,
  setting = process.env.SIRTRAV_DEPLOY_CPU ?? 'lambda',
): Promise<CpuQuota | null> {
  if (setting === 'unlimited') return null;
  const share = setting === 'lambda' ? lambdaCpuShare(memoryMb) : Number(setting);
  if (!Number.isFinite(share) || share <= 0 || share > 64) {
    throw new Error(
      `SIRTRAV_DEPLOY_CPU must be "lambda", "unlimited" or a number of vCPUs from 0.01 to 64 (got "${setting}").`,
    );
  }
  try {
    await access(CPU_CGROUP_ROOT, constants.W_OK);
  } catch {
    throw new Error(
      `The deploy host caps each function's CPU at Lambda's share (${share.toFixed(2)} vCPU) with a cgroup under ${CPU_CGROUP_ROOT}, which is not writable here. Run as root on a cgroup v1 machine, or set SIRTRAV_DEPLOY_CPU=unlimited to serve with the whole machine (the timings then are not Netlify's).`,
    );
  }
  return { share, confine: (pid) => confine(pid, share) };
}

let groups = 0;

async function confine(pid: number, share: number): Promise<CpuGroup> {
  const name = `sirtrav-deploy-${process.pid}-${++groups}`;
  const dir = join(CPU_CGROUP_ROOT, name);
  await mkdir(dir);
  await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
  await writeFile(join(dir, 'cpu.cfs_quota_us'), String(Math.round(share * PERIOD_US)));
  await writeFile(join(dir, 'cgroup.procs'), String(pid));
  const accounting = await accountingGroup(dir, name, pid);
  return {
    usedMs: async () => Number(await readFile(join(accounting, 'cpuacct.usage'), 'utf8')) / 1e6,
    release: async () => {
      await removeGroup(dir);
      if (accounting !== dir) await removeGroup(accounting);
    },
  };
}

/** The group that counts `pid`'s CPU: the quota's own where cpuacct is mounted with cpu, else one beside it. */
async function accountingGroup(cpuDir: string, name: string, pid: number): Promise<string> {
  const together = await access(join(cpuDir, 'cpuacct.usage')).then(
    () => true,
    () => false,
  );
  if (together) return cpuDir;
  const dir = join(CPUACCT_CGROUP_ROOT, name);
  await mkdir(dir);
  await writeFile(join(dir, 'cgroup.procs'), String(pid));
  return dir;
}

/** A group can be removed once its last process has gone; a killed tree may take a moment to go. */
async function removeGroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(100);
    }
  }
  console.error(`could not remove the CPU group ${dir}: a process is still in it`);
}
