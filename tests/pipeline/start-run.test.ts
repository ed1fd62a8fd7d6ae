import { describe, expect, it } from 'vitest';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const code = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe('starting a run', () => {
  it('needs photos: none in the project, or one that is not there, is 422', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    const empty = await post(api('/runs'), {});
    expect(empty.status).toBe(422);
    expect(await code(empty)).toBe('no_media');
    await uploadPhotos(api, 1, 500);
    const unknown = await post(api('/runs'), { mediaIds: ['not_a_photo_here'] });
    expect(unknown.status).toBe(422);
    expect(await code(unknown)).toBe('media_not_found');
  });

  it('validates the body: ranges, enums, unknown fields, control characters', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 510);
    for (const body of [
      { durationSec: 3 },
      { durationSec: 181 },
      { durationSec: '10' },
      { resolution: '4k' },
      { surprise: true },
      { theme: 'a\u0000b' },
      { mood: '$(reboot)' },
      { mediaIds: ['../x'] },
      { narration: 5 },
    ]) {
      const response = await post(api('/runs'), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await code(response)).toBe('validation_failed');
    }
  });

  it('honours Idempotency-Key: same key and body → same run; same key, other body → 422', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 520);
    const body = { durationSec: 5, resolution: '360p', narration: false };
    const first = await post(api('/runs'), body, { 'idempotency-key': 'abc-123' });
    const second = await post(
      api('/runs'),
      { narration: false, resolution: '360p', durationSec: 5 },
      { 'idempotency-key': 'abc-123' },
    );
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const a = (await first.json()) as { runId: string };
    const b = (await second.json()) as { runId: string };
    expect(b.runId).toBe(a.runId);
    const other = await post(api('/runs'), { ...body, durationSec: 7 }, { 'idempotency-key': 'abc-123' });
    expect(other.status).toBe(422);
    expect(await code(other)).toBe('idempotency_key_reused');
    await server.current.idle();
  });

  it('the video is 409 until the run is complete; unknown runs are 404', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 530);
    const started = (await (
      await post(api('/runs'), { durationSec: 5, resolution: '360p', narration: false })
    ).json()) as { runId: string };
    const early = await fetch(api(`/runs/${started.runId}/video`));
    if (early.status !== 200) {
      expect(early.status).toBe(409);
      expect(await code(early)).toBe('run_not_complete');
    }
    expect((await fetch(api('/runs/r_nope'))).status).toBe(404);
    expect((await fetch(api('/runs/r_nope/video'))).status).toBe(404);
    await server.current.idle();
  });
});
