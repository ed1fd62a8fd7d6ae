import { setTimeout as sleep } from 'node:timers/promises';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDocument } from '../../src/storage/index.js';

/** What a kill left in the local Blobs server's directory: blobs whose two files disagree, bodies never renamed into place. */
export interface TearCensus {
  /** Bodies written to their temporary name and never renamed (the old body is still the one read). */
  unrenamedBodies: number;
  /** Documents whose metadata file is missing, half written, or from the write before. */
  tornMetadata: number;
  keys: string[];
}

export const emptyCensus = (): TearCensus => ({ unrenamedBodies: 0, tornMetadata: 0, keys: [] });

/**
 * Every document of the directory (or of `folders` under its `entries/` tree)
 * checked against its metadata file, as `@netlify/blobs/server` lays them out.
 */
export async function censusOfTears(directory: string, folders?: string[]): Promise<TearCensus> {
  const census = emptyCensus();
  const entries = join(directory, 'entries');
  const files = folders
    ? (
        await Promise.all(
          folders.map(async (folder) =>
            (await readdir(join(entries, folder)).catch(() => [] as string[])).map((name) => join(folder, name)),
          ),
        )
      ).flat()
    : await readdir(entries, { recursive: true }).catch(() => [] as string[]);
  for (const path of files) {
    if (/(^|\/)\.[0-9a-z]+$/.test(path)) {
      census.unrenamedBodies++;
      census.keys.push(`unrenamed ${path}`);
      continue;
    }
    const body = await readFile(join(entries, path)).catch(() => null);
    const document = body && body.byteLength > 0 ? safeOpen(new Uint8Array(body)) : null;
    if (!document) continue;
    const metadata = await readFile(join(directory, 'metadata', path), 'utf8').catch(() => null);
    const parsed = metadata === null ? null : safeJson(metadata);
    if (parsed?.sha256 === document.sha256 && parsed?.updatedAt === document.updatedAt) continue;
    census.tornMetadata++;
    census.keys.push(
      `${metadata === null ? 'no metadata' : parsed ? 'stale metadata' : 'half-written metadata'} ${path}`,
    );
  }
  return census;
}

function safeOpen(body: Uint8Array): { sha256: string; updatedAt: string } | null {
  try {
    // A sealed body carries its own header; metadata is not consulted for it.
    return openDocument(body, null)?.header ?? null;
  } catch {
    return null;
  }
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Kills the host while one of its writes is half done, found by looking rather
 * than by timing (a watcher woken by a write runs long after the writer's next
 * step on a busy machine): the host's process group is stopped (SIGSTOP) at a
 * random moment, the folders it writes are examined, and if a blob there is
 * torn the group is SIGKILLed as it stands; otherwise it goes on (SIGCONT) and
 * is looked at again a few ms later. Past `timeoutMs` it is killed anyway.
 */
export async function killWhileTorn(options: {
  directory: string;
  /** Folders under the server's `entries/` tree (e.g. the runs' progress logs and states). */
  folders: string[];
  pgid: number;
  timeoutMs: number;
  random: () => number;
}): Promise<{ torn: boolean; looks: number; census: TearCensus }> {
  const deadline = Date.now() + options.timeoutMs;
  for (let looks = 1; ; looks++) {
    signalGroup(options.pgid, 'SIGSTOP');
    if (!(await stopped(options.pgid))) {
      // Not every thread had stopped yet (a busy machine delivers the signal late): what is seen may still change.
      signalGroup(options.pgid, 'SIGCONT');
      continue;
    }
    const census = await censusOfTears(options.directory, options.folders);
    const torn = census.tornMetadata + census.unrenamedBodies > 0;
    if (torn || Date.now() > deadline) {
      signalGroup(options.pgid, 'SIGKILL');
      signalGroup(options.pgid, 'SIGCONT');
      return { torn, looks, census };
    }
    signalGroup(options.pgid, 'SIGCONT');
    await sleep(options.random() * 20);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone.
  }
}

/** Whether every thread of the group leader (its blobs server runs there) stopped within 2 s. */
async function stopped(pid: number): Promise<boolean> {
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    const states = await Promise.all(
      tasks.map((task) => readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '')),
    );
    const state = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (tasks.length > 0 && states.every((stat) => stat !== '' && /^[Tt]$/.test(state(stat)))) return true;
    await sleep(1);
  }
  return false;
}
