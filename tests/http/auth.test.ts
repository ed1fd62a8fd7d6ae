import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routes } from '../../src/api/index.js';
import { followProgress } from '../../packages/client/src/index.js';
import { authMode, signLink } from '../../src/http/auth.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { openStore } from '../../src/storage/index.js';
import { useLocalServer } from '../helpers/server.js';

const SECRET = 'test-secret-for-hmac-0123456789';
const ADMIN = 'admin-token-abcdefghijklmnop';

beforeAll(() => {
  vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
  vi.stubEnv('SIRTRAV_ADMIN_TOKEN', ADMIN);
});
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();
const admin = { authorization: `Bearer ${ADMIN}` };

interface Fixture {
  projectId: string;
  token: string;
  mediaId: string;
  runId: string;
  links: { self: string; progress: string; video: string };
  theme: string;
}
let a: Fixture;
let b: Fixture;

async function fixture(theme: string): Promise<Fixture> {
  const { projectId, token, api } = await createProjectOverHttp(server.current.url, admin);
  const auth = { authorization: `Bearer ${token}` };
  const [media] = await uploadPhotos(api, 1, theme.length, auth);
  const started = await fetch(api('/runs'), {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ durationSec: 4, resolution: '360p', narration: false, theme }),
  });
  expect(started.status).toBe(202);
  const { runId, links } = (await started.json()) as { runId: string; links: Fixture['links'] };
  // The progress link is signed: it works without the header.
  const final = await followProgress(links.progress, { onEvent: () => undefined });
  expect(final?.status).toBe('complete');
  return { projectId, token, mediaId: media!.mediaId, runId, links, theme };
}

beforeAll(async () => {
  a = await fixture('Alpha secret garden');
  b = await fixture('Bravo hidden beach');
}, 60_000);

/** A concrete URL for a route, with the ids of project `f`. */
function urlFor(path: string, f: Fixture): string {
  return (
    server.current.url +
    path
      .replace(':projectId', f.projectId)
      .replace(':runId', f.runId)
      .replace(':mediaId', f.mediaId)
      .replace(':uploadId', 'u_missing')
      .replace(':importId', 'i_missing')
      .replace(':shareId', 's_missing')
      .replace(':n', '0')
  );
}

const projectRoutes = routes.filter((route) => route.auth === 'project');

describe('auth', () => {
  it('every route but health needs a token (401), and health says auth is on', async () => {
    for (const route of routes.filter((r) => r.auth !== 'none')) {
      const response = await fetch(urlFor(route.path, b), {
        method: route.method,
        headers: { 'content-type': 'application/json' },
        ...(route.method === 'GET' ? {} : { body: '{}' }),
      });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    const health = await fetch(`${server.current.url}/api/health`);
    expect(await health.json()).toMatchObject({ auth: 'enabled' });
  });

  it('health writes nothing for an anonymous caller; the admin token gets the write-and-read round trip', async () => {
    const probe = async () =>
      (await openStore('runs').list({ prefix: 'health/' })).blobs.map((blob) => blob.etag).join();
    const before = await probe();
    for (let i = 0; i < 3; i++) {
      const anonymous = await fetch(`${server.current.url}/api/health`);
      expect(anonymous.status).toBe(200);
      expect(await anonymous.json()).toMatchObject({ ok: true, blobs: { ok: true, check: 'read' } });
    }
    expect(await probe()).toBe(before);
    const admin = await fetch(`${server.current.url}/api/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(await admin.json()).toMatchObject({ ok: true, blobs: { ok: true, check: 'round-trip' } });
    expect(await probe()).not.toBe(before);
  });

  it("project A's token on project B's routes is 403 and shows nothing of B", async () => {
    expect(projectRoutes.length).toBeGreaterThanOrEqual(14);
    for (const route of projectRoutes) {
      const response = await fetch(urlFor(route.path, b), {
        method: route.method,
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        ...(route.method === 'GET' ? {} : { body: '{"rating":"good"}' }),
      });
      const text = await response.text();
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(text).not.toContain(b.theme);
      expect(text).not.toContain('Bravo');
    }
  });

  it('a project token reaches its own project; the admin token reaches any; admin routes refuse project tokens', async () => {
    const own = await fetch(urlFor('/api/projects/:projectId/runs/:runId', b), {
      headers: { authorization: `Bearer ${b.token}` },
    });
    expect(own.status).toBe(200);
    const asAdmin = await fetch(urlFor('/api/projects/:projectId/memory', b), { headers: admin });
    expect(asAdmin.status).toBe(200);
    const create = await fetch(`${server.current.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.token}` },
    });
    expect(create.status).toBe(403);
    for (const bad of [
      'Bearer',
      'Basic abc',
      `Bearer ${b.token}x`,
      `Bearer stp.${b.projectId}.unsigned`,
      `Bearer stp.${a.projectId}.${b.token.split('.')[2]}`,
      'Bearer a.b.c.d',
    ]) {
      const response = await fetch(urlFor('/api/projects/:projectId/media', b), { headers: { authorization: bad } });
      expect(response.status, bad).toBe(401);
    }
  });

  it('signed links work without headers until tampered with, moved to another path, or expired', async () => {
    expect(b.links.video).toMatch(/\?exp=\d+&sig=[\w-]+$/);
    expect((await fetch(b.links.video)).status).toBe(200);
    const tampered = b.links.video.replace(/sig=(.)/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const longer = b.links.video.replace(/exp=(\d+)/, (_, e: string) => `exp=${Number(e) + 1000}`);
    expect((await fetch(longer)).status).toBe(403);
    const moved = b.links.video.replace(`/runs/${b.runId}/video`, `/runs/${b.runId}/progress`);
    expect((await fetch(moved)).status).toBe(403);
    const otherRun = b.links.video.replace(b.runId, a.runId).replace(b.projectId, a.projectId);
    expect((await fetch(otherRun)).status).toBe(403);
    const path = new URL(b.links.video).pathname;
    const expired = server.current.url + signLink(path, Date.now() - 7 * 24 * 3600 * 1000);
    const response = await fetch(expired);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_link' } });
    // A signed link is only for the routes that need one.
    const signedState = server.current.url + signLink(new URL(b.links.self).pathname);
    expect((await fetch(signedState)).status).toBe(401);
  });

  it('keeps tokens and link signatures out of the logs', async () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => (lines.push(String(chunk)), true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    vi.stubEnv('LOG_LEVEL', 'debug');
    try {
      await fetch(b.links.video);
      await fetch(urlFor('/api/projects/:projectId/runs/:runId', b), {
        headers: { authorization: `Bearer ${b.token}` },
      });
      await fetch(urlFor('/api/projects/:projectId/runs/:runId', b), { headers: { authorization: `Bearer ${ADMIN}` } });
    } finally {
      vi.stubEnv('LOG_LEVEL', 'error');
      out.mockRestore();
      err.mockRestore();
    }
    const logged = lines.join('');
    expect(logged).toContain('"msg":"request"');
    expect(logged).not.toContain(b.token.split('.')[2]!);
    expect(logged).not.toContain(ADMIN);
    expect(logged).not.toContain(SECRET);
    expect(logged).not.toContain(new URL(b.links.video).searchParams.get('sig')!);
  });

  it('CORS: allowed origins get headers and a preflight answer; others get none', async () => {
    vi.stubEnv('SIRTRAV_CORS_ORIGINS', 'https://app.example');
    try {
      const preflight = await fetch(urlFor('/api/projects/:projectId/runs', b), {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
      const denied = await fetch(urlFor('/api/projects/:projectId/runs', b), {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example' },
      });
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
      const get = await fetch(urlFor('/api/projects/:projectId/runs', b), {
        headers: { origin: 'https://app.example', authorization: `Bearer ${b.token}` },
      });
      expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      vi.stubEnv('SIRTRAV_CORS_ORIGINS', '');
    }
  });

  it('caps runs queued or running per project with 429 and Retry-After', async () => {
    vi.stubEnv('SIRTRAV_MAX_ACTIVE_RUNS', '1');
    try {
      const post = () =>
        fetch(urlFor('/api/projects/:projectId/runs', a), {
          method: 'POST',
          headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ durationSec: 30, resolution: '720p', narration: false }),
        });
      const first = await post();
      expect(first.status).toBe(202);
      const second = await post();
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('30');
      const { runId } = (await first.json()) as { runId: string };
      await fetch(`${urlFor('/api/projects/:projectId/runs', a)}/${runId}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}` },
      });
      await server.current.idle();
    } finally {
      vi.stubEnv('SIRTRAV_MAX_ACTIVE_RUNS', '3');
    }
  });
});

describe('fail closed', () => {
  it('a process that does not declare itself local refuses to serve without a secret (503), whatever else is set', async () => {
    vi.stubEnv('SIRTRAV_API_SECRET', '');
    vi.stubEnv('SIRTRAV_LOCAL', '');
    // CONTEXT is a build-time variable that a function never sees; it must not open anything.
    vi.stubEnv('CONTEXT', 'dev');
    try {
      for (const path of ['/api/health', `/api/projects/${b.projectId}/runs`, '/api/no/such/route']) {
        const response = await fetch(server.current.url + path);
        expect(response.status, path).toBe(503);
        expect(await response.json()).toMatchObject({ error: { code: 'auth_not_configured' } });
      }
    } finally {
      vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
      vi.stubEnv('SIRTRAV_LOCAL', '1');
    }
  });

  it('auth is off only in a local process serving no deploy', () => {
    vi.stubEnv('SIRTRAV_API_SECRET', '');
    try {
      vi.stubEnv('SIRTRAV_LOCAL', '1');
      expect(authMode({})).toBe('disabled');
      expect(authMode({ deployContext: 'dev' })).toBe('disabled');
      for (const deployContext of ['production', 'deploy-preview', 'branch-deploy'])
        expect(authMode({ deployContext })).toBe('misconfigured');
      vi.stubEnv('SIRTRAV_LOCAL', '');
      expect(authMode({})).toBe('misconfigured');
      expect(authMode({ deployContext: 'dev' })).toBe('misconfigured');
      vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
      expect(authMode({ deployContext: 'production' })).toBe('enabled');
    } finally {
      vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
      vi.stubEnv('SIRTRAV_LOCAL', '1');
    }
  });
});
