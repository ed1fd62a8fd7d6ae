import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { analysePhoto, isCurrent } from '../../src/media/analyse.js';
import { getMedia, saveAnalysis } from '../../src/media/library.js';
import type { Media } from '../../src/schemas/media.js';
import { getBinary, keys, parseId, putBinary, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp } from '../helpers/api.js';
import { realPhoto } from '../helpers/real-photos.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

async function upload(api: (path: string) => string, name: 'astronaut' | 'coffee'): Promise<Media> {
  const response = await fetch(api('/media'), {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg', 'x-filename': `${name}.jpg` },
    body: new Uint8Array(realPhoto(name)),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { media: Media[] }).media[0]!;
}

/** Makes a stored photo look uploaded before faces were looked for: its analysis without them. */
async function makeStale(projectId: Id, mediaId: Id): Promise<void> {
  const ref = keys.media(projectId, mediaId);
  const stored = (await getBinary(ref))!;
  const { faces: _, ...old } = (stored.metadata as Media).analysis!;
  await putBinary(ref, stored.data, { ...(stored.metadata as Record<string, never>), analysis: old });
  expect(isCurrent((await getMedia(projectId, mediaId))!.analysis)).toBe(false);
}

describe('a photo analysed again at run time', () => {
  it('has its fresh analysis stored with it, so the next run reads it', async () => {
    const { api, projectId: raw } = await createProjectOverHttp(server.current.url);
    const projectId = parseId(raw);
    const photo = await upload(api, 'astronaut');
    await makeStale(projectId, photo.mediaId);
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 4, narration: false, planOnly: true }),
    });
    expect(started.status, await started.clone().text()).toBe(202);
    const { links } = (await started.json()) as { links: { progress: string } };
    expect((await followProgress(links.progress, { onEvent: () => undefined }))?.status).toBe('complete');
    const stored = (await getMedia(projectId, photo.mediaId))!;
    expect(isCurrent(stored.analysis)).toBe(true);
    expect(stored.analysis).toEqual(await analysePhoto({ contentType: 'image/jpeg' }, realPhoto('astronaut')));
    expect(stored.analysis!.faces).toHaveLength(1);
    // Everything else stays as uploaded.
    const { analysis: _a, ...rest } = stored;
    const { analysis: _b, ...before } = photo;
    expect(rest).toEqual(before);
  }, 90_000);

  it('is not stored over a photo deleted meanwhile: the photo stays deleted', async () => {
    const { api, projectId: raw } = await createProjectOverHttp(server.current.url);
    const projectId = parseId(raw);
    const photo = await upload(api, 'coffee');
    await makeStale(projectId, photo.mediaId);
    const fresh = await analysePhoto({ contentType: 'image/jpeg' }, realPhoto('coffee'));
    expect((await fetch(api(`/media/${photo.mediaId}`), { method: 'DELETE' })).status).toBe(204);
    expect(await saveAnalysis(projectId, photo.mediaId, fresh)).toBe(false);
    expect(await getBinary(keys.media(projectId, photo.mediaId))).toBeNull();
    expect((await fetch(api(`/media/${photo.mediaId}`))).status).toBe(404);
  }, 60_000);
});
