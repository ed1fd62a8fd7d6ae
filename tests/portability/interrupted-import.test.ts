import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exportPart, prepareExport } from '../../src/portability/export.js';
import { advanceImport, putImportPart, rollbackImport, startImport } from '../../src/portability/import.js';
import { readJSON, keys, STORE_IDS, openStore, type Id } from '../../src/storage/index.js';
import { projectInfoDoc } from '../../src/projects/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';
import { plantProject, snapshotSite } from '../helpers/site.js';

useBlobsSandbox();

async function exportArchive(projectId: Id): Promise<Buffer> {
  const job = await prepareExport(projectId, { budgetMs: 60_000 });
  const parts: Buffer[] = [];
  for (let n = 0; n < job.manifest!.parts; n++) {
    const { stream } = await exportPart(projectId, job.exportId, n);
    for await (const chunk of stream as Readable) parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Starts an import and moves it on a blob at a time until part of it is written. */
async function halfImport(archive: Buffer, projectId: string) {
  const session = await startImport({ bytes: archive.byteLength, projectId: projectId as Id });
  for (let n = 0; n < session.partCount; n++)
    await putImportPart(session.importId, n, async () =>
      archive.subarray(n * session.partSize, (n + 1) * session.partSize),
    );
  let current = session;
  while (!(current.status === 'committing' && current.committed >= 3))
    current = await advanceImport(session.importId, 1);
  return current;
}

async function keysUnder(projectId: string): Promise<string[]> {
  const found: string[] = [];
  for (const store of STORE_IDS)
    found.push(
      ...(await openStore(store).list({ prefix: `projects/${projectId}/` })).blobs.map((b) => `${store}:${b.key}`),
    );
  return found;
}

describe('an interrupted import', () => {
  it('is visible as unfinished (a marker, no project record), and resumes to a whole project', async () => {
    const source = await plantProject(7, { photos: 3 });
    const archive = await exportArchive(source);
    const half = await halfImport(archive, 'p_resumed');
    expect(half.committed).toBeLessThan(half.manifest!.blobs.length);
    expect(await readJSON(keys.projectInfo('p_resumed' as Id), projectInfoDoc)).toBeNull();
    expect(await openStore('runs').getMetadata(keys.importMarker('p_resumed' as Id).key)).not.toBeNull();

    let session = half;
    while (session.status !== 'complete') session = await advanceImport(half.importId, 60_000);
    expect(session.summary!.blobs).toBe(half.manifest!.blobs.length);
    expect(await readJSON(keys.projectInfo('p_resumed' as Id), projectInfoDoc)).not.toBeNull();
    expect(await openStore('runs').getMetadata(keys.importMarker('p_resumed' as Id).key)).toBeNull();
    // Same photos, byte for byte, under the new project.
    const site = await snapshotSite();
    const photos = (id: string) =>
      [...site.entries()]
        .filter(([key]) => key.startsWith(`media:projects/${id}/media/`))
        .map(([key, blob]) => [key.split('/').pop(), blob.sha256])
        .sort();
    expect(photos('p_resumed')).toEqual(photos(source));
  });

  it('rolls back to nothing, and a second import cannot take a project another one is writing', async () => {
    const source = await plantProject(8);
    const archive = await exportArchive(source);
    const half = await halfImport(archive, 'p_rolled');
    expect((await keysUnder('p_rolled')).length).toBeGreaterThan(1);

    const rival = await startImport({ bytes: archive.byteLength, projectId: 'p_rolled' as Id });
    for (let n = 0; n < rival.partCount; n++)
      await putImportPart(rival.importId, n, async () =>
        archive.subarray(n * rival.partSize, (n + 1) * rival.partSize),
      );
    await expect(advanceImport(rival.importId, 60_000)).rejects.toMatchObject({ status: 409 });

    const rolled = await rollbackImport(half.importId);
    expect(rolled.status).toBe('rolled_back');
    expect(await keysUnder('p_rolled')).toEqual([]);
    await expect(advanceImport(half.importId, 60_000)).rejects.toMatchObject({
      status: 410,
      code: 'import_rolled_back',
    });
  });

  it('a roll-back while a call is still writing leaves nothing behind once that call ends', async () => {
    const source = await plantProject(9, { photos: 6 });
    const archive = await exportArchive(source);
    const half = await halfImport(archive, 'p_raced');
    const newRuns = Object.values(half.plan!.runMap);
    // One call writes the rest; the roll-back lands while it is under way.
    const writing = advanceImport(half.importId, 60_000);
    const settled = writing.then(
      () => null,
      (error: unknown) => error,
    );
    const rolled = await rollbackImport(half.importId);
    expect(rolled.status).toBe('rolled_back');
    expect(await settled).toMatchObject({ status: 410, code: 'import_rolled_back' });
    expect(await keysUnder('p_raced')).toEqual([]);
    for (const runId of newRuns) {
      expect((await openStore('videos').list({ prefix: `${runId}/` })).blobs).toEqual([]);
      expect((await openStore('evals').list({ prefix: `${runId}/` })).blobs).toEqual([]);
    }
  });
});
