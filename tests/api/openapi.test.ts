import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../src/api/index.js';
import { COMPONENT_SCHEMAS } from '../../src/api/components.js';
import { buildOpenApi } from '../../src/api/openapi.js';
import { defineRoute } from '../../src/http/route.js';
import { followProgress } from '../../packages/client/src/index.js';
import { newId } from '../../src/new-id.js';
import { archiveDoc } from '../../src/runs/index.js';
import { keys, parseId, writeJSON } from '../../src/storage/index.js';
import { makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

type Content = Record<string, { schema: { $ref?: string } }>;
type Operation = {
  operationId: string;
  requestBody?: { content: Content };
  responses: Record<string, { content?: Content }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};
let spec: Document;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
/** The document's components, as one schema ajv resolves `#/components/schemas/…` against. */
const DOCUMENT_ID = 'urn:sirtrav:openapi';

beforeAll(async () => {
  const response = await fetch(`${server.current.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  spec = (await response.json()) as Document;
  ajv.addSchema({ $id: DOCUMENT_ID, components: spec.components });
});

const operations = () => Object.values(spec.paths).flatMap((byMethod) => Object.values(byMethod));

const templateOf = (path: string) =>
  routes.find((route) => {
    const want = route.path.split('/');
    const got = path.split('?')[0]!.split('/');
    return want.length === got.length && want.every((part, i) => part.startsWith(':') || part === got[i]);
  })?.path;

/** Checks a real response body against the schema the document gives for its route and status. */
async function conforms(method: string, path: string, response: Response): Promise<unknown> {
  const template = templateOf(path);
  expect(template, `${method} ${path} has a route`).toBeDefined();
  const operation = spec.paths[template!.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  expect(operation, `${method} ${template} is documented`).toBeDefined();
  const documented = operation!.responses[String(response.status)];
  expect(documented, `${method} ${template} documents status ${response.status}`).toBeDefined();
  const schema = documented!.content?.['application/json']?.schema;
  if (!schema) return null;
  const body = await response.json();
  expect(schema.$ref, `${method} ${template} ${response.status} names its schema`).toMatch(
    /^#\/components\/schemas\/\w+$/,
  );
  const validate = ajv.getSchema(DOCUMENT_ID + schema.$ref)!;
  expect(validate, `${schema.$ref} is in the document`).toBeDefined();
  expect(validate(body), `${method} ${template} ${response.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  return body;
}

describe('OpenAPI', () => {
  it('documents exactly the routes the router serves', () => {
    expect(spec.openapi).toBe('3.1.0');
    const served = routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort();
    const documented = Object.entries(spec.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });

  it('refuses to build when a route has no documentation', () => {
    const undocumented = defineRoute({
      method: 'GET',
      path: '/api/undocumented',
      auth: 'none',
      tag: 'service',
      operationId: 'getUndocumented',
      summary: '',
      responses: {},
      handler: () => new Response(),
    });
    expect(() => buildOpenApi([...routes, undocumented])).toThrow(/has no documentation/);
  });

  it('names each operation once, in camelCase', () => {
    const ids = operations().map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(routes.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    const byRoute = Object.fromEntries(routes.map((route) => [`${route.method} ${route.path}`, route.operationId]));
    expect(byRoute).toMatchObject({
      'GET /api/health': 'getHealth',
      'POST /api/projects/:projectId/runs': 'createRun',
      'GET /api/projects/:projectId/runs/:runId/progress': 'getRunProgress',
      'PUT /api/projects/:projectId/uploads/:uploadId/parts/:n': 'uploadPart',
      'POST /api/admin/failures/:runId/resolution': 'resolveFailure',
    });
  });

  it('refuses two routes with one operationId, or one that is not camelCase', () => {
    const again = { ...routes[0]!, method: 'POST' as const };
    expect(() => buildOpenApi([...routes, again])).toThrow(/operationId "getHealth" is taken/);
    expect(() => buildOpenApi([{ ...routes[0]!, operationId: 'get-health' }])).toThrow(/not a camelCase name/);
  });

  it('gives every JSON body a named component, and every name a component', () => {
    const bodies = operations().flatMap((operation) => [
      ...Object.entries(operation.requestBody?.content ?? {}),
      ...Object.values(operation.responses).flatMap((response) => Object.entries(response.content ?? {})),
    ]);
    const json = bodies.filter(([type]) => type === 'application/json').map(([, { schema }]) => schema);
    expect(json.length).toBeGreaterThan(40);
    for (const schema of json) {
      expect(Object.keys(schema)).toEqual(['$ref']);
      expect(spec.components.schemas[schema.$ref!.replace('#/components/schemas/', '')], schema.$ref).toBeDefined();
    }
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map(([, name]) => name);
    expect(new Set(refs)).toEqual(new Set(Object.keys(spec.components.schemas)));
    for (const name of Object.keys(COMPONENT_SCHEMAS)) expect(spec.components.schemas, name).toHaveProperty(name);
    const createRun = spec.paths['/api/projects/{projectId}/runs']!.post!;
    expect(createRun.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/StartRunRequest',
    });
    expect(spec.components.schemas.StartRunRequest).toMatchObject({
      properties: { map: { type: 'boolean', description: expect.stringContaining('no location leaves the server') } },
    });
    expect(spec.components.schemas.RunList).toMatchObject({
      properties: { runs: { items: { $ref: '#/components/schemas/RunSummary' } } },
    });
  });

  it('real responses along a whole session match the documented schemas', async () => {
    const base = server.current.url;
    const call = async (method: string, path: string, init: RequestInit = {}) =>
      conforms(method, path, await fetch(base + path, { method, ...init }));
    const jsonInit = (body: unknown): RequestInit => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

    await call('GET', '/api/health');
    await call('GET', '/api/openapi.json');
    const { projectId } = (await call('POST', '/api/projects', jsonInit({ name: 'Spec' }))) as { projectId: string };
    const p = `/api/projects/${projectId}`;
    const photo = await makePhoto('jpeg', { seed: 1000, takenAt: '2024:01:02 03:04:05', offset: '+00:00' });
    const { media } = (await call('POST', `${p}/media`, {
      headers: { 'content-type': 'image/jpeg' },
      body: photo,
    })) as { media: Array<{ mediaId: string }> };
    await call('POST', `${p}/media`, { headers: { 'content-type': 'image/jpeg' }, body: photo });
    await call('GET', `${p}/media`);
    await call('GET', `${p}/media/${media[0]!.mediaId}`);
    const upload = (await call(
      'POST',
      `${p}/uploads`,
      jsonInit({ filename: 'b.png', bytes: (await makePhoto('png', { seed: 1001 })).byteLength }),
    )) as {
      uploadId: string;
    };
    await call('PUT', `${p}/uploads/${upload.uploadId}/parts/0`, { body: await makePhoto('png', { seed: 1001 }) });
    await call('POST', `${p}/uploads/${upload.uploadId}/complete`);
    await call('POST', `${p}/uploads/${upload.uploadId}/complete`);

    const started = (await call(
      'POST',
      `${p}/runs`,
      jsonInit({ durationSec: 4, resolution: '360p', narration: false }),
    )) as {
      runId: string;
      links: { progress: string };
    };
    await followProgress(started.links.progress, { onEvent: () => undefined });
    const r = `${p}/runs/${started.runId}`;
    await call('GET', `${p}/runs`);
    await call('GET', r);
    await call('GET', `${r}/progress`);
    await call('GET', `${r}/video`, { headers: { range: 'bytes=0-99' } });
    await call('GET', `${r}/captions.vtt`);
    await call('GET', `${r}/captions.srt`);
    const share = (await call('POST', `${r}/share`, jsonInit({ expiresInSec: 3600 }))) as { shareId: string };
    await call('POST', `${r}/share`, jsonInit({ expiresInSec: 1 }));
    await call('GET', `${r}/shares`);
    for (const file of ['', '/video', '/poster.jpg', '/captions.vtt'])
      await call('GET', `/api/share/${share.shareId}${file}`);
    await call('DELETE', `${r}/share/${share.shareId}`);
    await call('GET', `/api/share/${share.shareId}`);
    await call('DELETE', `${r}/share/${share.shareId}`);
    await call('POST', `${r}/evaluation`, jsonInit({ rating: 'good', comment: 'lovely' }));
    await call('POST', `${r}/evaluation`, jsonInit({ rating: 'bad' }));
    await call('GET', `${p}/memory`);
    await call('POST', `${r}/cancel`);
    await call('POST', '/api/admin/cleanup', jsonInit({ dryRun: true }));
    await call('DELETE', `${p}/media/${media[0]!.mediaId}`);
    // A run whose documents retention removed answers from its archive record.
    const archivedId = newId('r');
    const at = new Date().toISOString();
    const owner = parseId(projectId);
    await writeJSON(keys.archive(owner, archivedId), archiveDoc, {
      runId: archivedId,
      projectId: owner,
      status: 'complete',
      createdAt: at,
      finishedAt: at,
      timings: null,
      providers: null,
      storyboard: null,
      video: { bytes: 3, durationSec: 4, width: 640, height: 360 },
      error: null,
      rating: null,
      request: { durationSec: 4 },
      progress: 1,
      archive_reason: 'retention_expired',
      archivedAt: at,
    });
    expect(await call('GET', `${p}/runs/${archivedId}`)).toMatchObject({ runId: archivedId, archived: true });
    await call('GET', `${p}/runs`);
    // Errors, too, are in the documented shape.
    await call('POST', `${p}/runs`, jsonInit({ durationSec: 1 }));
    await call('GET', `${p}/runs/r_missing`);
    await call('POST', `${p}/media`, { headers: { 'content-type': 'text/plain' }, body: 'x' });
  });
});
