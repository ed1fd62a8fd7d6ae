import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/new-id.js';
import { leaseDoc, segmentPlanDoc, segmentStatusDoc } from '../../src/pipeline/index.js';
import { finalizeManifest } from '../../src/portability/layout.js';
import { siteKey } from '../../src/portability/signing.js';
import { appendProgress } from '../../src/progress/event-log.js';
import { createRunState, newRun } from '../../src/runs/index.js';
import {
  getMetadata,
  keys,
  openStore,
  parseId,
  putBinary,
  STORE_IDS,
  writeJSON,
  type Id,
} from '../../src/storage/index.js';
import { createWebhookSecret, readWebhookSecret } from '../../src/webhooks/secret.js';
import { createProjectOverHttp, invokePipeline, uploadPhotos } from '../helpers/api.js';
import { downloadExport, importArchive, readTar, resign, writeTar, type TarEntry } from '../helpers/archive.js';
import { useLocalServer } from '../helpers/server.js';
import { plantProject } from '../helpers/site.js';

const server = useLocalServer();
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const api = (projectId: string) => (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;

interface Manifest {
  projectId: string;
  runIds: string[];
  blobs: Array<{ store: string; key: string; size: number; sha256: string; metadata: Record<string, unknown> }>;
}

/** Every blob of every store but the import sessions' own records (the audit trail a refused import keeps). */
async function siteBlobs(): Promise<string[]> {
  const found: string[] = [];
  for (const store of STORE_IDS) {
    for await (const page of openStore(store).list({ paginate: true })) {
      found.push(
        ...page.blobs
          // Upload sessions and the hourly operations figures are the site's own bookkeeping, not imported data.
          .filter((b) => !(store === 'runs' && (b.key.startsWith('imports/') || b.key.startsWith('ops/metrics/'))))
          .map((b) => `${store}:${b.key}`),
      );
    }
  }
  return found.sort();
}

/** Replaces blob `name`'s body (and optionally its metadata) and updates the manifest's size and SHA-256 to match, as a forger would. */
async function replaceBlob(
  entries: TarEntry[],
  name: string,
  body: Buffer,
  metadata?: (old: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const manifest = JSON.parse(entries[0]!.body.toString()) as Manifest;
  const index = manifest.blobs.findIndex((b) => `${b.store}/${b.key}` === name);
  expect(index, name).toBeGreaterThanOrEqual(0);
  const blob = manifest.blobs[index]!;
  blob.size = body.byteLength;
  blob.sha256 = sha(body);
  if (metadata) blob.metadata = metadata(blob.metadata);
  entries[index + 2]!.body = body;
  await restate(entries, manifest);
}

/** Writes the manifest back with its part count and total size made to agree with the changed archive. */
async function restate(entries: TarEntry[], manifest: Manifest): Promise<void> {
  const { parts: _parts, totalBytes: _total, ...draft } = manifest as Manifest & { parts: number; totalBytes: number };
  entries[0]!.body = (await finalizeManifest(draft as never)).json;
}

const manifestOf = (entries: TarEntry[]) => JSON.parse(entries[0]!.body.toString()) as Manifest;

async function exportOf(projectId: string) {
  const { archive } = await downloadExport(api(projectId));
  return { archive, entries: await readTar(archive) };
}

async function expectRefusedWritingNothing(bytes: Uint8Array, code: string, options: { exportKey?: string } = {}) {
  const before = await siteBlobs();
  const result = await importArchive(server.current.url, bytes, options);
  expect(result.status, JSON.stringify(result.body)).toBe(422);
  expect(result.body.error.code).toBe(code);
  expect(await siteBlobs()).toEqual(before);
}

describe('imports trust only what they can verify', () => {
  it('refuses an archive changed after export even with its hashes updated, writing nothing', async () => {
    const source = await plantProject(21);
    const { entries } = await exportOf(source);
    const manifest = manifestOf(entries);
    const runId = manifest.runIds[0]!;
    const stateName = `sirtrav-runs/projects/${source}/runs/${runId}/state.json`;
    const state = entries.find((e) => e.name === stateName)!;
    await replaceBlob(entries, stateName, Buffer.from(state.body.toString().replace(/Theme 21/g, 'Forged 21')));
    await expectRefusedWritingNothing(await writeTar(entries), 'invalid_signature');
  });

  it('an archive from another site imports only with that site’s export key', async () => {
    const source = await plantProject(22);
    const { entries } = await exportOf(source);
    const otherSite = siteKey('the other site’s SIRTRAV_API_SECRET');
    resign(entries, 'the other site’s SIRTRAV_API_SECRET');
    const archive = await writeTar(entries);

    const own = await fetch(`${server.current.url}/api/admin/export-key`);
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ exportKey: siteKey().exportKey, local: true });
    expect(otherSite.exportKey).not.toBe(siteKey().exportKey);

    await expectRefusedWritingNothing(archive, 'untrusted_signer');
    // A wrong key is no better than none.
    await expectRefusedWritingNothing(archive, 'untrusted_signer', { exportKey: siteKey('a third site').exportKey });
    const result = await importArchive(server.current.url, archive, { exportKey: otherSite.exportKey });
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    expect(result.body.imported.runs).toBe(1);
  });

  it('refuses a gzip bomb, even signed by a trusted key, writing nothing', async () => {
    const source = await plantProject(23);
    const { entries } = await exportOf(source);
    const runId = manifestOf(entries).runIds[0]!;
    // 64 MiB of JSON whitespace in 64 KB of gzip, its metadata claiming a small document.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    await replaceBlob(entries, `sirtrav-progress/projects/${source}/runs/${runId}/progress.json`, bomb, (old) => ({
      ...old,
      encoding: 'gzip',
    }));
    resign(entries);
    await expectRefusedWritingNothing(await writeTar(entries), 'invalid_document');
  });

  it('refuses a webhook secret in an archive, even signed', async () => {
    const source = await plantProject(24);
    const { entries } = await exportOf(source);
    const manifest = manifestOf(entries);
    const body = Buffer.from(JSON.stringify({ secret: 'whsec_chosenbyattacker', createdAt: new Date().toISOString() }));
    manifest.blobs.push({
      store: 'sirtrav-runs',
      key: `projects/${source}/webhook-secret.json`,
      size: body.byteLength,
      sha256: sha(body),
      metadata: {},
    });
    await restate(entries, manifest);
    entries.push({ name: `sirtrav-runs/projects/${source}/webhook-secret.json`, body, mtime: entries[0]!.mtime });
    resign(entries);
    await expectRefusedWritingNothing(await writeTar(entries), 'secret_in_archive');
  });

  it('an import into the same site gives new run ids, shares no video or evaluation key, and a new webhook secret', async () => {
    const source = await plantProject(25);
    const sourceSecret = await createWebhookSecret(source);
    const { archive, entries } = await exportOf(source);
    const [oldRun] = manifestOf(entries).runIds as [Id];

    const result = await importArchive(server.current.url, archive);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const { projectId, webhookSecret, imported } = result.body as {
      projectId: Id;
      webhookSecret: string;
      imported: { remapped: { runs: Record<string, Id> } };
    };
    const newRun = imported.remapped.runs[oldRun]!;
    expect(newRun).toBeDefined();
    expect(newRun).not.toBe(oldRun);

    expect(webhookSecret).toMatch(/^whsec_/);
    expect(webhookSecret).not.toBe(sourceSecret);
    expect(await readWebhookSecret(projectId)).toBe(webhookSecret);

    const keysUnder = async (store: 'videos' | 'evals', prefix: string) =>
      (await openStore(store).list({ prefix })).blobs.map((b) => b.key);
    expect(await keysUnder('videos', `${newRun}/`)).toEqual([`${newRun}/final.mp4`]);
    expect(await keysUnder('evals', `${newRun}/`)).toEqual([`${newRun}/evaluation.json`]);
    expect(await getMetadata(keys.video(newRun))).toMatchObject({ runId: newRun, projectId });
    // The source keeps its own, untouched.
    expect(await getMetadata(keys.video(oldRun))).toMatchObject({ runId: oldRun, projectId: source });
    const runs = ((await (await fetch(api(projectId)('/runs'))).json()) as { runs: Array<{ runId: string }> }).runs;
    expect(runs.map((r) => r.runId)).toEqual([newRun]);
    const memory = (await (await fetch(api(projectId)('/memory'))).json()) as {
      video_history: Array<{ runId: string }>;
    };
    expect(memory.video_history.map((h) => h.runId)).toEqual([newRun]);
    const stored = async (runId: Id) =>
      sha(new Uint8Array((await openStore('videos').get(keys.video(runId).key, { type: 'arrayBuffer' }))!));
    expect(await stored(newRun)).toBe(await stored(oldRun));
  });

  it('exports a project with the segment pieces of a render in progress, and imports them under the new run id', async () => {
    const source = await plantProject(26);
    const runId = newId('r');
    await createRunState(newRun({ projectId: source, runId, request: {}, mediaIds: [] }));
    const createdAt = new Date().toISOString();
    await writeJSON(keys.segmentPlan(source, runId), segmentPlanDoc, {
      totalFrames: 60,
      fps: 30,
      width: 640,
      height: 360,
      segments: [
        { index: 0, from: 0, to: 30 },
        { index: 1, from: 30, to: 60 },
      ],
      createdAt,
    });
    await writeJSON(keys.segmentStatus(source, runId, 0), segmentStatusDoc, {
      state: 'done',
      attempts: 1,
      framesDone: 30,
      frames: 30,
      updatedAt: Date.now(),
    });
    await writeJSON(keys.segmentLease(source, runId, 1), leaseDoc, {
      owner: 'worker',
      expiresAt: Date.now() + 60_000,
      acquiredAt: Date.now(),
      released: false,
    });
    const piece = randomBytes(20_000);
    await putBinary(keys.segmentVideo(runId, 0), piece, {
      contentType: 'video/mp4',
      runId,
      projectId: source,
      segment: 0,
      bytes: piece.byteLength,
      createdAt,
    });

    const { archive, entries } = await exportOf(source);
    const names = entries.map((e) => e.name);
    expect(names).toContain(`sirtrav-videos/${runId}/segments/00.mp4`);
    expect(names.filter((n) => n.endsWith('/lease.json'))).toEqual([]);

    const result = await importArchive(server.current.url, archive);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const moved = (result.body.imported.remapped.runs as Record<string, Id>)[runId]!;
    expect(await getMetadata(keys.segmentVideo(moved, 0))).toMatchObject({
      runId: moved,
      projectId: result.body.projectId,
      segment: 0,
    });
    expect(await getMetadata(keys.segmentVideo(runId, 0))).toMatchObject({ runId, projectId: source });
  });
});

describe('compose', () => {
  it('does not reuse a final.mp4 stored under its run id by another project', async () => {
    const { projectId, api: projectApi } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(projectApi, 2, 700);
    const runId = newId('r');
    await createRunState(
      newRun({
        projectId: parseId(projectId),
        runId,
        request: { durationSec: 4, resolution: '360p', narration: false },
        mediaIds: [],
      }),
    );
    await appendProgress(parseId(projectId), runId, { agent: 'pipeline', status: 'queued', progress: 0 });
    const planted = randomBytes(30_000);
    const facts = {
      bytes: planted.byteLength,
      durationSec: 4,
      width: 640,
      height: 360,
      videoCodec: 'h264',
      audioCodec: 'aac',
    };
    await putBinary(keys.video(runId), planted, {
      contentType: 'video/mp4',
      runId,
      projectId: 'p_someone_else',
      ...facts,
      createdAt: new Date().toISOString(),
    });

    const { final, events } = await invokePipeline(server.current.url, projectId, runId);
    expect(final?.status, JSON.stringify(final)).toBe('complete');
    expect(events.some((e) => e.agent === 'compose' && e.status === 'reused')).toBe(false);
    expect(events.some((e) => e.agent === 'compose' && e.status === 'completed')).toBe(true);
    expect(await getMetadata(keys.video(runId))).toMatchObject({ runId, projectId });
    const video = new Uint8Array(await (await fetch(projectApi(`/runs/${runId}/video`))).arrayBuffer());
    expect(sha(video)).not.toBe(sha(planted));
  }, 120_000);
});
