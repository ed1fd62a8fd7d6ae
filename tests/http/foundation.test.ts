import { describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../src/schemas/error.js';
import { healthSchema } from '../../src/schemas/health.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = errorBodySchema.parse(await response.json());
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

describe('health and routing over HTTP', () => {
  it('GET /api/health reports version, auth mode, ffmpeg and a Blobs round trip', async () => {
    const response = await fetch(`${server.current.url}/api/health`);
    expect(response.status).toBe(200);
    const health = healthSchema.parse(await response.json());
    expect(health).toMatchObject({ ok: true, auth: 'disabled', blobs: { ok: true } });
    expect(health.ffmpegFound).toBe(true);
  });

  it('unknown route is a JSON 404, wrong method a 405 with Allow', async () => {
    await expectError(await fetch(`${server.current.url}/api/nothing/here`), 404, 'not_found');
    const wrong = await fetch(`${server.current.url}/api/health`, { method: 'DELETE' });
    await expectError(wrong, 405, 'method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('creates a project, and rejects bad JSON, unknown fields and wrong content types', async () => {
    const created = await fetch(`${server.current.url}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lisbon' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      projectId: expect.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      token: expect.any(String),
    });

    const post = (body: string, type = 'application/json') =>
      fetch(`${server.current.url}/api/projects`, { method: 'POST', headers: { 'content-type': type }, body });
    await expectError(await post('{"name": '), 400, 'invalid_json');
    await expectError(await post('{"name": "x", "admin": true}'), 400, 'validation_failed');
    await expectError(await post('{"name": 5}'), 400, 'validation_failed');
    await expectError(await post('name=x', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    await expectError(await post(JSON.stringify({ name: 'x'.repeat(100_000) })), 413, 'payload_too_large');
  });

  it('error bodies carry no stack or file path', async () => {
    const response = await fetch(`${server.current.url}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[',
    });
    const text = await response.text();
    expect(text).not.toMatch(/at .*\(|\/work\/|node_modules|\.ts:/);
  });
});
