import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupSite, readIndex } from '../../src/portability/backup.js';
import type { ProgressReporter } from '../../src/portability/progress-reporter.js';
import { BackupUnusableError, restoreSite } from '../../src/portability/restore.js';
import { startBlobsSandbox, type BlobsSandbox } from '../../src/server/blobs-sandbox.js';
import { openStore } from '../../src/storage/index.js';
import { plantProject, snapshotSite } from '../helpers/site.js';

const ROOT = join(import.meta.dirname, '../..');
let work: string;
let site: BlobsSandbox | undefined;

async function useSite(name: string): Promise<string> {
  await site?.stop();
  const directory = join(work, name);
  site = await startBlobsSandbox(directory);
  return directory;
}

/** Stands for a crash: gives up after `n` blobs. */
const crashAfter = (n: number): ProgressReporter => ({
  start: () => undefined,
  update: (done) => {
    if (done >= n) throw new Error('simulated crash');
  },
  stop: () => undefined,
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sirtrav-backup-'));
});
afterAll(async () => {
  await site?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('backup and restore of a whole site', () => {
  let original: Awaited<ReturnType<typeof snapshotSite>>;
  let siteDirectory: string;
  const backup = () => join(work, 'backup');

  it('backs up every store of a site with 3 projects, resuming after a crash without copying anything twice', async () => {
    siteDirectory = await useSite('site-a');
    for (const seed of [1, 2, 3]) await plantProject(seed);
    original = await snapshotSite();
    const stores = new Set([...original.keys()].map((key) => key.split(':')[0]));
    expect(stores).toEqual(new Set(['videos', 'audio', 'media', 'runs', 'evals', 'progress']));

    await expect(backupSite(backup(), crashAfter(7))).rejects.toThrow('simulated crash');
    const partial = [];
    for await (const line of readIndex(backup())) partial.push(line);
    expect(partial.length).toBe(7);

    const summary = await backupSite(backup());
    expect(summary.blobs).toBe(original.size);
    const lines = [];
    for await (const line of readIndex(backup())) lines.push(`${line.store}:${line.key}`);
    expect(lines.sort()).toEqual([...original.keys()].sort());
  });

  it('restores into an empty site byte for byte, data and metadata', async () => {
    await useSite('site-b');
    const report = await restoreSite(backup(), { target: 'site-b' });
    expect(report).toMatchObject({ restored: original.size, unchanged: 0, conflicts: [] });
    expect(await snapshotSite()).toEqual(original);
    // Again: every blob is already there, nothing changes.
    const again = await restoreSite(backup(), { target: 'site-b-again' });
    expect(again).toMatchObject({ restored: 0, unchanged: original.size, conflicts: [] });
  });

  it('reports a blob the site holds with other content, and leaves it as it is', async () => {
    const [first] = [...original.keys()].filter((key) => key.startsWith('media:'));
    const key = first!.slice('media:'.length);
    await openStore('media').set(key, 'changed meanwhile', { metadata: { note: 'newer' } });
    const report = await restoreSite(backup(), { target: 'site-b-conflict' });
    expect(report.conflicts).toEqual([{ store: 'media', key }]);
    expect(await openStore('media').get(key, { type: 'text' })).toBe('changed meanwhile');
  });

  it('refuses a damaged backup before writing anything', async () => {
    await useSite('site-c');
    const [line] = await (async () => {
      const all = [];
      for await (const l of readIndex(backup())) all.push(l);
      return all.filter((l) => l.store === 'media');
    })();
    const path = join(backup(), line!.file);
    const bytes = await readFile(path);
    bytes[10] = bytes[10]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(restoreSite(backup(), { target: 'site-c' })).rejects.toBeInstanceOf(BackupUnusableError);
    expect((await snapshotSite()).size).toBe(0);
    bytes[10] = bytes[10]! ^ 0xff;
    await writeFile(path, bytes);
  });

  it('npm run backup logs JSON lines when not on a terminal', async () => {
    await site?.stop();
    site = undefined;
    // The library keeps its connection in NETLIFY_BLOBS_CONTEXT; the script must find the sandbox from SIRTRAV_BLOBS_DIR.
    const { NETLIFY_BLOBS_CONTEXT: _inherited, ...env } = process.env;
    const result = spawnSync('npx', ['tsx', 'scripts/backup.ts', join(work, 'cli-backup')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...env, SIRTRAV_BLOBS_DIR: siteDirectory, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { event: string; task?: string; done?: number; total?: number; blobs?: number },
      );
    expect(events[0]).toMatchObject({ event: 'start', task: 'backup', total: original.size });
    expect(events.at(-2)).toMatchObject({ event: 'stop' });
    expect(events.some((e) => e.event === 'progress' && e.done === original.size)).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'done', blobs: original.size });
  });
});
