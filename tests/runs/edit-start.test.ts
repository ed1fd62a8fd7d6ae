import { describe, expect, it } from 'vitest';
import { openStore, parseId } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { makeCompleteRun, plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

/** Every blob under the project's runs and idempotency keys. */
async function storedKeys(projectId: string): Promise<string[]> {
  const { blobs } = await openStore('runs').list({ prefix: `projects/${projectId}/` });
  return blobs.map((blob) => blob.key).sort();
}

describe('starting an edit', () => {
  it('refuses an edit that cannot apply with 422 naming its index, and stores nothing', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    const other = await createProjectOverHttp(server.current.url);
    const [theirs] = await uploadPhotos(other.api, 1, 510);
    const source = await makeCompleteRun(parseId(projectId), { mood: 'calm', musicStyle: 'acoustic' });
    const failed = await plantRun(parseId(projectId), 'failed', 0);
    const elsewhere = await makeCompleteRun(parseId(other.projectId), { mood: 'calm', musicStyle: 'acoustic' });
    const before = await storedKeys(projectId);
    const cases: Array<[object, string, Record<string, unknown>]> = [
      [
        {
          editOf: source,
          edits: [
            { op: 'title', text: 'x' },
            { op: 'remove', shot: 3 },
          ],
        },
        'edit_invalid',
        { edit: 1 },
      ],
      [{ editOf: source, edits: [{ op: 'remove', shot: 0 }] }, 'edit_invalid', { edit: 0, op: 'remove' }],
      [{ editOf: source, edits: [{ op: 'replace', shot: 0, mediaId: theirs!.mediaId }] }, 'edit_invalid', { edit: 0 }],
      [{ editOf: source, edits: [{ op: 'narration', line: 0, text: 'x' }] }, 'edit_invalid', { edit: 0 }],
      [{ editOf: failed.runId, edits: [{ op: 'title', text: 'x' }] }, 'edit_source_not_complete', {}],
      [{ editOf: elsewhere, edits: [{ op: 'title', text: 'x' }] }, 'edit_source_not_found', { editOf: elsewhere }],
    ];
    for (const [i, [body, code, details]] of cases.entries()) {
      const response = await fetch(api('/runs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `edit-${i}` },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect(await response.json()).toMatchObject({ error: { code, details } });
    }
    expect(await storedKeys(projectId)).toEqual(before);
  }, 120_000);

  it('refuses edits without a source, or with fields of a new run, as a bad body', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    for (const body of [
      { edits: [{ op: 'title', text: 'x' }] },
      { editOf: 'r_x', edits: [{ op: 'title', text: 'x' }], mediaIds: ['m_x'] },
      { editOf: 'r_x', edits: [{ op: 'crop', shot: 0 }] },
    ]) {
      const response = await fetch(api('/runs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  }, 60_000);
});
