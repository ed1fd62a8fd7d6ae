import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toArrayBuffer } from '../storage/documents.js';
import { openStore, sha256Hex } from '../storage/index.js';
import { backupSummarySchema, hashFile, readIndex, type BackupLine, type BackupSummary } from './backup.js';
import { silentProgress, type ProgressReporter } from './progress-reporter.js';

export class BackupUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupUnusableError';
  }
}

export interface RestoreReport {
  restored: number;
  /** Already in the site with the same bytes and metadata (a resumed or repeated restore). */
  unchanged: number;
  /** In the site with other content: left as it is, unless overwrite was asked for. */
  conflicts: Array<{ store: string; key: string }>;
  bytes: number;
}

async function fileDigest(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Checks a backup before any of it is used: complete, index intact, every file present with its size and SHA-256. */
export async function verifyBackup(
  directory: string,
  progress: ProgressReporter = silentProgress,
): Promise<BackupSummary> {
  let summary: BackupSummary;
  try {
    summary = backupSummarySchema.parse(JSON.parse(await readFile(join(directory, 'backup.json'), 'utf8')));
  } catch {
    throw new BackupUnusableError(
      `${directory} holds no complete backup (backup.json is missing or unreadable); run the backup again to finish it.`,
    );
  }
  if ((await hashFile(join(directory, 'index.jsonl'))) !== summary.indexSha256)
    throw new BackupUnusableError('index.jsonl does not match the SHA-256 recorded in backup.json.');
  progress.start('verify', summary.blobs);
  let count = 0;
  let bytes = 0;
  for await (const line of readIndex(directory)) {
    const digest = await fileDigest(join(directory, line.file)).catch(() => null);
    if (!digest || digest.size !== line.size || digest.sha256 !== line.sha256)
      throw new BackupUnusableError(
        `${line.file} (${line.store}/${line.key}) is missing or does not match its size and SHA-256.`,
      );
    bytes += line.size;
    progress.update(++count, bytes);
  }
  progress.stop();
  if (count !== summary.blobs)
    throw new BackupUnusableError(`The index lists ${count} blobs; backup.json says ${summary.blobs}.`);
  return summary;
}

async function restoreBlob(
  directory: string,
  line: BackupLine,
  overwrite: boolean,
): Promise<'restored' | 'unchanged' | 'conflict'> {
  const bytes = await readFile(join(directory, line.file));
  if (bytes.byteLength !== line.size || sha256Hex(bytes) !== line.sha256)
    throw new BackupUnusableError(`${line.file} changed after it was verified.`);
  const store = openStore(line.store);
  if (overwrite) {
    await store.set(line.key, toArrayBuffer(bytes), { metadata: line.metadata });
    return 'restored';
  }
  const result = await store.set(line.key, toArrayBuffer(bytes), { metadata: line.metadata, onlyIfNew: true });
  if (result.modified) return 'restored';
  const existing = await store.getWithMetadata(line.key, { type: 'arrayBuffer', consistency: 'strong' });
  const same =
    existing &&
    sha256Hex(new Uint8Array(existing.data)) === line.sha256 &&
    JSON.stringify(existing.metadata) === JSON.stringify(line.metadata);
  return same ? 'unchanged' : 'conflict';
}

/**
 * Restores a verified backup into the connected site, blob by blob with the
 * same bytes and metadata. A blob already there with other content is
 * reported, never overwritten (unless `overwrite`). A checkpoint file per target
 * (`restore-{hash}.jsonl`) lets an interrupted restore carry on where it stopped.
 */
export async function restoreSite(
  directory: string,
  options: { overwrite?: boolean; progress?: ProgressReporter; target?: string } = {},
): Promise<RestoreReport> {
  const progress = options.progress ?? silentProgress;
  const summary = await verifyBackup(directory, progress);
  // One checkpoint per target site, so the same backup can be restored into several.
  const checkpoint = join(directory, `restore-${sha256Hex(options.target ?? 'default').slice(0, 12)}.jsonl`);
  const done = new Set((await readFile(checkpoint, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  const report: RestoreReport = { restored: 0, unchanged: 0, conflicts: [], bytes: 0 };
  progress.start('restore', summary.blobs);
  let count = 0;
  for await (const line of readIndex(directory)) {
    count++;
    const id = JSON.stringify([line.store, line.key]);
    if (done.has(id)) {
      report.unchanged++;
      continue;
    }
    const outcome = await restoreBlob(directory, line, options.overwrite ?? false);
    if (outcome === 'conflict') report.conflicts.push({ store: line.store, key: line.key });
    else {
      report[outcome]++;
      report.bytes += outcome === 'restored' ? line.size : 0;
      await appendFile(checkpoint, `${id}\n`);
    }
    progress.update(count, report.bytes);
  }
  progress.stop();
  return report;
}
