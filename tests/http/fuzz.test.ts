import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routes } from '../../src/api/index.js';
import { followProgress } from '../../packages/client/src/index.js';
import { errorBodySchema } from '../../src/schemas/error.js';
import { seededRandom } from '../../src/random.js';
import { STORE_IDS, openStore } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { rawRequest } from '../helpers/http.js';
import { makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const SECRET = 'fuzz-secret-0123456789abcdef';
const ADMIN = 'fuzz-admin-token-0123456789';
beforeAll(() => {
  vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
  vi.stubEnv('SIRTRAV_ADMIN_TOKEN', ADMIN);
});
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();
const random = seededRandom('sirtrav-fuzz-1');
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const BAD_IDS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2e%2f',
  'a%2Fb',
  'a.b',
  'x'.repeat(65),
  '%00',
  '%C3%A9',
  '%3Cscript%3E',
  '$%7Bjndi%7D',
  "'%20OR%201=1",
  '%0d%0aSet-Cookie:x',
  '~',
  '*',
  '%25',
  'a%20b',
];
const BAD_JSON = [
  '{',
  '{"rating":',
  '[',
  'null',
  '"text"',
  '42',
  '{"a":1}}',
  '{"rating":"good",}',
  "{'rating':'good'}",
  '\u0000',
  '{"__proto__":{"x":1}}',
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  '{"durationSec":1e309}',
  '{"rating":"good","rating":"bad","extra":[]}',
];
const BAD_VALUES: Record<string, unknown[]> = {
  durationSec: [0, -1, 3.9, 181, 1e12, '10', null, [], {}, true],
  resolution: ['4k', '', 720, null, ['720p']],
  mood: ['', '1abc', 'x'.repeat(40), 'a;b', '$(reboot)', 5],
  musicStyle: ['', 'rock\n', 'x'.repeat(40), {}],
  theme: ['a\u0000b', 'x'.repeat(300), 7, ['t']],
  narration: [5, null, 'x'.repeat(3000), 'bell\u0007'],
  mediaIds: [[], 'abc', [1], ['../x'], ['a'.repeat(65)], Array.from({ length: 501 }, (_, i) => `m${i}`)],
  rating: ['ok', '', 1, null, 'GOOD', ['good']],
  comment: [5, 'x'.repeat(5000), {}],
  filename: ['', 5, 'x'.repeat(300)],
  bytes: [0, -5, 'big', 120 * 1024 * 1024, 1.5],
  sha256: ['xyz', '0'.repeat(63), 5],
};

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

async function snapshot(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const store of STORE_IDS) {
    // Request figures (ops/metrics/) count bad requests too: they are meant to change.
    for await (const page of openStore(store).list({ paginate: true }))
      for (const blob of page.blobs)
        if (!blob.key.startsWith('ops/metrics/')) all.set(`${store}:${blob.key}`, blob.etag);
  }
  return all;
}

describe('fuzz: generated bad requests across every route', () => {
  it('≥ 500 bad requests: no 5xx, every error in the API shape, no stack or path, stored blobs unchanged', async () => {
    const { projectId, token, api } = await createProjectOverHttp(server.current.url, {
      authorization: `Bearer ${ADMIN}`,
    });
    const auth = { authorization: `Bearer ${token}` };
    const [media] = await uploadPhotos(api, 1, 900, auth);
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 4, resolution: '360p', narration: false }),
    });
    const { runId, links } = (await started.json()) as { runId: string; links: { progress: string } };
    expect((await followProgress(links.progress, { onEvent: () => undefined }))?.status).toBe('complete');
    await server.current.idle();
    const jpeg = await makePhoto('jpeg', { seed: 901 });
    const ids: Record<string, string> = { projectId, runId, mediaId: media!.mediaId, uploadId: 'u_none', n: '0' };
    const before = await snapshot();

    const concrete = (path: string, overrides: Record<string, string> = {}) =>
      path.replace(/:(\w+)/g, (_, name: string) => overrides[name] ?? ids[name]!);
    const jsonRoutes = routes.filter(
      (r) => r.method === 'POST' && /runs$|evaluation$|uploads$|\/projects$/.test(r.path),
    );
    const generators: Array<() => FuzzRequest> = [
      // A bad id in any position of any route.
      () => {
        const route = pick(routes.filter((r) => r.path.includes(':')));
        const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
        const name = pick(names);
        return {
          method: route.method,
          path: concrete(route.path, {
            [name]: name === 'n' ? pick(['-1', 'abc', '99999', '1.5', '%31']) : pick(BAD_IDS),
          }),
          headers: { ...auth, 'content-type': 'application/json' },
          ...(route.method === 'GET' ? {} : { body: '{"rating":5}' }),
        };
      },
      // No token, a malformed one, or a forged one.
      () => {
        const route = pick(routes.filter((r) => r.auth !== 'none'));
        const header = pick([
          undefined,
          'Bearer',
          'Bearer junk',
          `Bearer ${token}x`,
          `Bearer stp.${projectId}.AAAA`,
          `Basic ${Buffer.from('a:b').toString('base64')}`,
          `Bearer ${ADMIN.slice(0, -1)}`,
          'bearer  ',
        ]);
        const headers: Record<string, string> = header ? { authorization: header } : {};
        return {
          method: route.method,
          path: concrete(route.path),
          headers,
          ...(route.method === 'GET' ? {} : { body: '{}' }),
        };
      },
      // Malformed JSON.
      () => {
        const route = pick(jsonRoutes);
        return {
          method: 'POST',
          path: concrete(route.path),
          headers: { ...auth, 'content-type': 'application/json' },
          body: pick(BAD_JSON),
        };
      },
      // Wrong types, out-of-range numbers and unknown fields.
      () => {
        const route = pick(jsonRoutes.filter((r) => !r.path.endsWith('/projects')));
        const field = route.path.endsWith('evaluation')
          ? pick(['rating', 'comment'])
          : route.path.endsWith('uploads')
            ? pick(['filename', 'bytes', 'sha256'])
            : pick(['durationSec', 'resolution', 'mood', 'musicStyle', 'theme', 'narration', 'mediaIds']);
        const base: Record<string, unknown> = route.path.endsWith('evaluation')
          ? { rating: 'good' }
          : route.path.endsWith('uploads')
            ? { filename: 'a.jpg', bytes: 100 }
            : {};
        const body =
          random() < 0.15
            ? { ...base, [pick(['admin', 'status', 'runId', '__proto__x'])]: true }
            : { ...base, [field]: pick(BAD_VALUES[field]!) };
        return {
          method: 'POST',
          path: concrete(route.path),
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        };
      },
      // Wrong content types and oversized bodies.
      () => {
        const route = pick(jsonRoutes.filter((r) => !r.path.endsWith('/projects')));
        const body = random() < 0.3 ? `{"x":"${'a'.repeat(70_000)}"}` : '{"rating":"good"}';
        return {
          method: 'POST',
          path: concrete(route.path),
          headers: {
            ...auth,
            'content-type':
              body.length > 1000
                ? 'application/json'
                : pick([
                    'text/plain',
                    'application/xml',
                    'multipart/form-data',
                    'image/jpeg',
                    'application/x-www-form-urlencoded',
                  ]),
          },
          body,
        };
      },
      // Photos that are not photos.
      () => {
        const kind = pick(['random', 'truncated', 'empty', 'text', 'badmultipart', 'html']);
        const bytes =
          kind === 'random'
            ? new Uint8Array(Array.from({ length: 2000 }, () => Math.floor(random() * 256)))
            : kind === 'truncated'
              ? jpeg.subarray(0, Math.floor(jpeg.length * (0.2 + random() * 0.6)))
              : kind === 'empty'
                ? new Uint8Array(0)
                : kind === 'html'
                  ? new TextEncoder().encode('<html><script>alert(1)</script></html>')
                  : new TextEncoder().encode('just some text\n');
        const type =
          kind === 'badmultipart'
            ? 'multipart/form-data; boundary=zzz'
            : pick(['image/jpeg', 'image/png', 'application/octet-stream', 'image/heic']);
        return {
          method: 'POST',
          path: concrete('/api/projects/:projectId/media'),
          headers: {
            ...auth,
            'content-type': type,
            'x-filename': pick(['../../etc/passwd', 'a"b.jpg', 'x'.repeat(300), '%0d%0a.jpg']),
          },
          body: kind === 'badmultipart' ? '--zzz\r\nnot a part' : bytes,
        };
      },
      // Wrong methods and unknown routes.
      () => {
        if (random() < 0.5)
          return {
            method: pick(['GET', 'DELETE', 'PATCH', 'PUT']),
            path: pick([
              '/api',
              '/api/nothing',
              `/api/projects/${projectId}/nope`,
              `/api/projects/${projectId}/runs/${runId}/extra/deep`,
              '/api/projects/%ZZ',
            ]),
            headers: auth,
          };
        const route = pick(routes);
        const other = pick(
          ['PATCH', 'PUT', 'DELETE', 'POST', 'GET'].filter(
            (m) => !routes.some((r) => r.path === route.path && r.method === m),
          ),
        );
        return {
          method: other,
          path: concrete(route.path),
          headers: { ...auth, 'content-type': 'application/json' },
          ...(other === 'GET' ? {} : { body: '{}' }),
        };
      },
      // Odd headers on reads: ranges, resume ids, idempotency keys, conditional requests.
      () => {
        const choice = pick(['range', 'lastEventId', 'idempotency', 'cancel', 'partUnknown']);
        if (choice === 'range')
          return {
            method: 'GET',
            path: concrete('/api/projects/:projectId/runs/:runId/video'),
            headers: {
              ...auth,
              range: pick([
                'bytes=abc',
                `bytes=${10 ** 12}-`,
                'bytes=5-1',
                'items=0-1',
                'bytes=-0',
                'bytes=0-1,5-6',
                'bytes=--1',
              ]),
            },
          };
        if (choice === 'lastEventId')
          return {
            method: 'GET',
            path: concrete('/api/projects/:projectId/runs/:runId/progress'),
            headers: {
              ...auth,
              accept: 'text/event-stream',
              'last-event-id': pick(['-1', 'abc', '1e5', '9'.repeat(30), ' ']),
            },
          };
        if (choice === 'idempotency')
          return {
            method: 'POST',
            path: concrete('/api/projects/:projectId/runs'),
            headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(300) },
            body: '{"durationSec":"x"}',
          };
        if (choice === 'cancel')
          return { method: 'POST', path: concrete('/api/projects/:projectId/runs/:runId/cancel'), headers: auth };
        return {
          method: 'PUT',
          path: concrete('/api/projects/:projectId/uploads/:uploadId/parts/:n'),
          headers: { ...auth, 'content-type': 'application/octet-stream' },
          body: jpeg,
        };
      },
    ];

    const REQUESTS = 560;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const request = pick(generators)();
      const response = await rawRequest(server.current.url, request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const label = `${request.method} ${request.path.slice(0, 120)} → ${response.status}`;
      if (response.status >= 500) failures.push(`${label}: ${response.body.slice(0, 200)}`);
      // A bad request never creates or changes anything (200 and 206 are reads of what is there).
      if (response.status > 200 && response.status < 300 && response.status !== 206)
        failures.push(`${label}: accepted`);
      if (response.status >= 400) {
        let body: unknown;
        try {
          body = JSON.parse(response.body);
        } catch {
          failures.push(`${label}: not JSON`);
          continue;
        }
        if (!errorBodySchema.safeParse(body).success) failures.push(`${label}: not the error shape`);
        if (/\bat .+:\d+:\d+|\/work\/|node_modules|\.ts\b|Error:/.test(response.body))
          failures.push(`${label}: leaks internals: ${response.body.slice(0, 200)}`);
      }
    }
    await server.current.idle();
    expect(failures).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    // Every family of refusal was exercised.
    for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 422])
      expect(statuses.get(status) ?? 0, String(status)).toBeGreaterThan(0);
    expect(before.size).toBeGreaterThan(5);
    expect(
      [...statuses.keys()].some((status) => status >= 200 && status < 300 && status !== 206 && status !== 200),
    ).toBe(false);
    const after = await snapshot();
    expect(after).toEqual(before);
  });
});
