import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { STORE_IDS, openStore } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { downloadExport, importArchive, readTar, resign, writeTar } from '../helpers/archive.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
const sha = (bytes: ArrayBuffer | Uint8Array) => createHash('sha256').update(new Uint8Array(bytes)).digest('hex');
const json = { 'content-type': 'application/json' };

async function renderRun(api: (path: string) => string, body: Record<string, unknown>) {
  const started = await fetch(api('/runs'), {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ durationSec: 4, resolution: '360p', narration: false, ...body }),
  });
  expect(started.status).toBe(202);
  const { runId, links } = (await started.json()) as { runId: string; links: { progress: string } };
  const final = await followProgress(links.progress, { onEvent: () => undefined });
  expect(final?.status, JSON.stringify(final)).toBe('complete');
  return runId;
}

async function projectFacts(api: (path: string) => string) {
  const media = ((await (await fetch(api('/media'))).json()) as { media: Array<{ mediaId: string; sha256: string }> })
    .media;
  const photos = await Promise.all(
    media.map(async (m) => sha(await (await fetch(api(`/media/${m.mediaId}`))).arrayBuffer())),
  );
  const runs = (
    (await (await fetch(api('/runs'))).json()) as {
      runs: Array<{ runId: string; status: string; theme: string | null }>;
    }
  ).runs;
  const videos = await Promise.all(
    runs
      .filter((r) => r.status === 'complete')
      .map(async (r) => sha(await (await fetch(api(`/runs/${r.runId}/video`))).arrayBuffer())),
  );
  const memory = (await (await fetch(api('/memory'))).json()) as {
    video_history: Array<{ runId: string; rating: string | null; theme: string }>;
  };
  return { photos: photos.sort(), runs, videos: videos.sort(), memory };
}

/** Every key any store holds for a project id (to prove a refused import wrote nothing). */
async function keysOf(projectId: string): Promise<string[]> {
  const found: string[] = [];
  for (const store of STORE_IDS) {
    const { blobs } = await openStore(store).list({ prefix: `projects/${projectId}/` });
    found.push(...blobs.map((b) => `${store}:${b.key}`));
  }
  return found;
}

describe('export and import of a project', () => {
  let archive: Buffer;
  let source: Awaited<ReturnType<typeof createProjectOverHttp>>;
  let sourceFacts: Awaited<ReturnType<typeof projectFacts>>;

  it('exports a rendered, rated project in parts that join into one tar with a manifest of every blob', async () => {
    source = await createProjectOverHttp(server.current.url);
    await uploadPhotos(source.api, 3);
    const runId = await renderRun(source.api, { theme: 'Lisbon export' });
    expect(
      (
        await fetch(source.api(`/runs/${runId}/evaluation`), {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ rating: 'good', comment: 'keep' }),
        })
      ).status,
    ).toBe(201);
    sourceFacts = await projectFacts(source.api);
    expect(sourceFacts.memory.video_history).toHaveLength(1);

    const exported = await downloadExport(source.api, {}, 64 * 1024);
    archive = exported.archive;
    expect(exported.parts.length).toBe(exported.descriptor.parts);
    expect(exported.parts.length).toBeGreaterThan(2);
    expect(exported.parts.slice(0, -1).every((part) => part.byteLength === 64 * 1024)).toBe(true);
    expect(archive.byteLength).toBe(exported.descriptor.totalBytes);

    const entries = await readTar(archive);
    expect(entries[0]!.name).toBe('manifest.json');
    expect(entries[1]!.name).toBe('manifest.sig');
    const manifest = JSON.parse(entries[0]!.body.toString()) as {
      parts: number;
      blobs: Array<{ store: string; key: string; size: number; sha256: string }>;
    };
    expect(manifest.parts).toBe(exported.parts.length);
    expect(entries.slice(2).map((e) => e.name)).toEqual(manifest.blobs.map((b) => `${b.store}/${b.key}`));
    for (const [i, blob] of manifest.blobs.entries()) {
      expect(entries[i + 2]!.body.byteLength).toBe(blob.size);
      expect(sha(entries[i + 2]!.body)).toBe(blob.sha256);
    }
    const names = manifest.blobs.map((b) => `${b.store}/${b.key}`);
    // Secrets and leases are not part of an export.
    expect(names.filter((n) => /webhook-secret|lease\.json|idempotency/.test(n))).toEqual([]);
    expect(names).toContain(`sirtrav-videos/${runId}/final.mp4`);
    expect(names).toContain(`sirtrav-evals/${runId}/evaluation.json`);
    expect(names).toContain(`sirtrav-evals/projects/${source.projectId}/memory_index.json`);
    expect(names.filter((n) => n.startsWith('sirtrav-media/') && n.includes('/media/'))).toHaveLength(3);
    expect(names.some((n) => n.startsWith('sirtrav-audio/'))).toBe(true);
    expect(names).toContain(`sirtrav-progress/projects/${source.projectId}/runs/${runId}/progress.json`);
  });

  it('imports into another project: same photos, runs, videos and memory, and the copy renders a new video', async () => {
    const result = await importArchive(server.current.url, archive);
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    const { projectId, token, imported } = result.body as {
      projectId: string;
      token: string;
      imported: {
        media: number;
        runs: number;
        videos: number;
        remapped: { projectId: { from: string; to: string }; runs: Record<string, string> };
      };
    };
    expect(projectId).not.toBe(source.projectId);
    expect(token).toContain(projectId);
    expect(result.body.webhookSecret).toMatch(/^whsec_/);
    expect(imported).toMatchObject({
      media: 3,
      runs: 1,
      videos: 1,
      remapped: { projectId: { from: source.projectId, to: projectId } },
    });
    // Run ids are unique across the site: the copy's run always gets a new id.
    const [[oldRun, newRun]] = Object.entries(imported.remapped.runs) as [[string, string]];

    const api = (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;
    const facts = await projectFacts(api);
    expect(facts.photos).toEqual(sourceFacts.photos);
    expect(facts.videos).toEqual(sourceFacts.videos);
    expect(facts.runs.map((r) => ({ ...r, runId: r.runId === newRun ? oldRun : r.runId }))).toEqual(sourceFacts.runs);
    expect(facts.memory.video_history.map((h) => ({ ...h, runId: h.runId === newRun ? oldRun : h.runId }))).toEqual(
      sourceFacts.memory.video_history,
    );
    expect(facts.memory.video_history[0]!.rating).toBe('good');

    await renderRun(api, { theme: 'Lisbon again' });
    expect(((await (await fetch(api('/runs'))).json()) as { runs: unknown[] }).runs).toHaveLength(2);
  });

  it('imports into an empty project named by the caller (its runs still get new ids)', async () => {
    const empty = await createProjectOverHttp(server.current.url);
    const result = await importArchive(server.current.url, archive, { projectId: empty.projectId });
    expect(result.status, JSON.stringify(result.body)).toBe(201);
    expect(result.body.projectId).toBe(empty.projectId);
    expect(Object.keys(result.body.imported.remapped.runs)).toHaveLength(1);
    expect(result.body.imported.skipped).toEqual([
      {
        store: 'sirtrav-runs',
        key: `projects/${source.projectId}/project.json`,
        reason: 'the target project keeps its own record',
      },
    ]);
    expect((await projectFacts(empty.api)).photos).toEqual(sourceFacts.photos);
    // Not empty any more: a second import into it is a conflict, and nothing is overwritten.
    const again = await importArchive(server.current.url, archive, { projectId: empty.projectId });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('project_not_empty');
  });

  describe('a tampered archive is refused with nothing written', () => {
    const tamper = async (change: (entries: Awaited<ReturnType<typeof readTar>>) => void) => {
      const entries = await readTar(archive);
      change(entries);
      return writeTar(entries);
    };
    const expectRefused = async (bytes: Uint8Array, target: string, code: string) => {
      const result = await importArchive(server.current.url, bytes, { projectId: target });
      expect(result.status, JSON.stringify(result.body)).toBe(422);
      expect(result.body.error.code).toBe(code);
      expect(await keysOf(target)).toEqual([]);
      expect((await fetch(`${server.current.url}/api/projects/${target}/media`)).status).toBe(404);
    };

    it('a flipped byte in a photo', async () => {
      const bytes = Buffer.from(archive);
      const entries = await readTar(archive);
      const photo = entries.find((e) => e.name.startsWith('sirtrav-media/') && e.name.includes('/media/'))!;
      const at = bytes.indexOf(photo.body) + 100;
      bytes[at] = bytes[at]! ^ 0xff;
      await expectRefused(bytes, 'p_flipped', 'hash_mismatch');
    });

    it('a flipped byte in a tar header', async () => {
      const bytes = Buffer.from(archive);
      const entries = await readTar(archive);
      const second = bytes.indexOf(Buffer.from(entries[2]!.name)) + 3;
      bytes[second] = bytes[second]! ^ 0x01;
      await expectRefused(bytes, 'p_header', 'invalid_archive');
    });

    it('a missing blob', async () => {
      await expectRefused(await tamper((entries) => entries.splice(3, 1)), 'p_missing', 'size_mismatch');
    });

    it('an extra file', async () => {
      await expectRefused(
        await tamper((entries) =>
          entries.push({ name: 'extra.txt', body: Buffer.from('surprise'), mtime: entries[0]!.mtime }),
        ),
        'p_extra',
        'size_mismatch',
      );
    });

    // The two below are signed again with this site's key: even an archive from a trusted site is checked key by key.
    it('a path like ../x', async () => {
      const bytes = await tamper((entries) => {
        const manifest = JSON.parse(entries[0]!.body.toString());
        const victim = manifest.blobs[0];
        victim.key = `projects/${manifest.projectId}/../x`;
        entries[2]!.name = `${victim.store}/${victim.key}`;
        entries[0]!.body = Buffer.from(JSON.stringify(manifest));
        resign(entries);
      });
      await expectRefused(bytes, 'p_dotdot', 'unsafe_path');
    });

    it('a key of another project', async () => {
      const bytes = await tamper((entries) => {
        const manifest = JSON.parse(entries[0]!.body.toString());
        manifest.blobs[0].key = manifest.blobs[0].key.replace(manifest.projectId, 'p_other');
        entries[2]!.name = `${manifest.blobs[0].store}/${manifest.blobs[0].key}`;
        entries[0]!.body = Buffer.from(JSON.stringify(manifest));
        resign(entries);
      });
      await expectRefused(bytes, 'p_foreign', 'foreign_key');
    });
  });
});
