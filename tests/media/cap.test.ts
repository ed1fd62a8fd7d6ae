import { afterEach, describe, expect, it, vi } from 'vitest';
import { countedPhotos } from '../../src/media/cap.js';
import type { Media } from '../../src/schemas/media.js';
import { deleteKey, keys, type Id } from '../../src/storage/index.js';
import { makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
afterEach(() => vi.unstubAllEnvs());

async function newProject() {
  const created = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
  const projectId = ((await created.json()) as { projectId: Id }).projectId;
  const api = (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;
  const post = async (bytes: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(api('/media'), {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    const body = (await response.json()) as { media?: Media[]; error?: { code: string } };
    return { status: response.status, mediaId: body.media?.[0]?.mediaId, code: body.error?.code };
  };
  /** A chunked upload of one small photo, in one part. */
  const chunked = async (bytes: Uint8Array<ArrayBuffer>) => {
    const started = await fetch(api('/uploads'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'c.png', bytes: bytes.byteLength }),
    });
    const { uploadId } = (await started.json()) as { uploadId: string };
    const part = await fetch(api(`/uploads/${uploadId}/parts/0`), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (part.status !== 200) throw new Error(`part: ${part.status} ${await part.text()}`);
    const completed = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    const answer = (await completed.json()) as { error?: { code: string; message: string; details?: unknown } };
    return { status: completed.status, code: answer.error?.code };
  };
  const listed = async () =>
    ((await (await fetch(api('/media'))).json()) as { media: Media[] }).media.map((item) => item.mediaId).sort();
  return { projectId, api, post, chunked, listed };
}

const photos = (seed: number, count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => makePhoto('png', { seed: seed + i })));

describe('the photo cap', () => {
  it('concurrent uploads past the cap store exactly up to it, single and chunked; the ledger matches what is stored', async () => {
    vi.stubEnv('SIRTRAV_MAX_PHOTOS', '4');
    const project = await newProject();
    const batch = await photos(300, 9);
    const answers = await Promise.all([...batch.slice(0, 6).map(project.post), ...batch.slice(6).map(project.chunked)]);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(4);
    expect(statuses.filter((status) => status === 409)).toHaveLength(5);
    expect(new Set(answers.filter((answer) => answer.status === 409).map((answer) => answer.code))).toEqual(
      new Set(['media_limit_reached']),
    );
    expect(await project.listed()).toHaveLength(4);
    expect((await countedPhotos(project.projectId)).sort()).toEqual(await project.listed());
  });

  it('the same bytes count once; a photo whose blob vanished (a crash mid-delete) stops counting once the project is full; a delete frees a slot', async () => {
    vi.stubEnv('SIRTRAV_MAX_PHOTOS', '2');
    const project = await newProject();
    const [a, b, c, d] = await photos(400, 4);
    const first = await project.post(a!);
    expect(first.status).toBe(201);
    expect((await Promise.all([project.post(a!), project.post(a!)])).map((answer) => answer.status)).toEqual([
      200, 200,
    ]);
    const second = await project.post(b!);
    expect(second.status).toBe(201);
    // The blob goes, and the host dies before the ledger is told.
    await deleteKey('media', keys.media(project.projectId, second.mediaId as Id).key);
    expect((await project.post(c!)).status).toBe(201);
    expect((await project.post(d!)).status).toBe(409);
    expect((await fetch(project.api(`/media/${first.mediaId}`), { method: 'DELETE' })).status).toBe(204);
    expect((await project.post(d!)).status).toBe(201);
    expect((await countedPhotos(project.projectId)).sort()).toEqual(await project.listed());
    expect(await project.listed()).toHaveLength(2);
  });
});
