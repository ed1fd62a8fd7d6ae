import { z } from 'zod';
import { VERSION } from '../config.js';
import { errorBodySchema } from '../http/errors.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { healthSchema } from '../schemas/health.js';
import { completeUploadResponseSchema, mediaListResponseSchema, startUploadBodySchema, startUploadResponseSchema, uploadPartResponseSchema } from '../schemas/media.js';
import { evaluateBodySchema, evaluationSchema, memoryIndexSchema } from '../schemas/memory.js';
import { progressListSchema } from '../schemas/progress.js';
import { createProjectBodySchema, createProjectResponseSchema } from '../schemas/project.js';
import { cleanupBodySchema, cleanupReportSchema } from '../schemas/retention.js';
import { repairBodySchema, repairReportSchema } from '../repair/report.js';
import { cancelRunResponseSchema, runListResponseSchema, runStateResponseSchema, startRunBodySchema, startRunResponseSchema } from '../schemas/run.js';

interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** For bodies that are not JSON (video, photo, SSE). */
  contentType?: string;
}

export interface RouteDoc {
  summary: string;
  tag: string;
  body?: z.ZodType;
  /** Non-JSON request bodies (photos, parts). */
  rawBody?: { contentTypes: string[]; description: string };
  query?: Array<{ name: string; description: string; schema: Record<string, unknown> }>;
  headers?: Array<{ name: string; description: string }>;
  responses: Record<number, ResponseDoc>;
}

const err = (description: string): ResponseDoc => ({ description, schema: errorBodySchema });

/** The documentation of every route, keyed "METHOD path"; a test holds it to the route table and to real responses. */
export /** Binary resources answer at most 16 MiB per response (Netlify cuts responses at 20 MB and 10 s). */
const RANGE_HEADER = { name: 'Range', description: 'bytes=start-end (one range). A range longer than 16 MiB, or open-ended, is answered with its first 16 MiB; Content-Range names the part sent and the total.' };
const RANGE_REQUIRED = 'range_required: larger than one response carries (details.bytes, details.maxRangeBytes); fetch it in ranges';

const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /api/health': { tag: 'service', summary: 'Liveness, version, auth mode, ffmpeg and a Blobs round trip', responses: { 200: { description: 'Healthy', schema: healthSchema }, 503: { description: 'Storage unreachable (same shape) or auth not configured in production (error shape)' } } },
  'GET /api/openapi.json': { tag: 'service', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
  'POST /api/projects': { tag: 'projects', summary: 'Create a project (admin)', body: createProjectBodySchema, responses: { 201: { description: 'Created, with its project token', schema: createProjectResponseSchema }, 400: err('Invalid body'), 401: err('No or invalid token'), 403: err('Not the admin token') } },
  'POST /api/projects/:projectId/media': {
    tag: 'media', summary: 'Upload photos: a raw image body or multipart/form-data, at most 4 MiB per request',
    rawBody: { contentTypes: ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic', 'application/octet-stream', 'multipart/form-data'], description: 'Raw bytes (optional X-Filename, percent-encoded) or one or more files' },
    headers: [{ name: 'X-Filename', description: 'Original file name of a raw upload' }],
    responses: { 201: { description: 'Stored (at least one new)', schema: mediaListResponseSchema }, 200: { description: 'Every photo was already there', schema: mediaListResponseSchema }, 400: err('Empty or malformed body'), 404: err('Unknown project'), 409: err('Photo limit reached'), 413: err('Larger than 4 MiB: use the chunked route'), 415: err('Not JPEG, PNG, WebP, AVIF or HEIC'), 422: err('Corrupt, truncated or over 100 megapixels') },
  },
  'GET /api/projects/:projectId/media': { tag: 'media', summary: 'List photos (from metadata)', responses: { 200: { description: 'Photos, oldest upload first', schema: mediaListResponseSchema }, 404: err('Unknown project') } },
  'GET /api/projects/:projectId/media/:mediaId': {
    tag: 'media', summary: 'The original bytes; supports Range (a photo over 16 MiB is fetched in ranges)',
    headers: [RANGE_HEADER],
    responses: { 200: { description: 'The whole photo (at most 16 MiB; HEAD gives the full Content-Length)', contentType: 'image/*' }, 206: { description: 'A range of it, at most 16 MiB', contentType: 'image/*' }, 304: { description: 'Not modified (If-None-Match)' }, 400: err(RANGE_REQUIRED), 404: err('Unknown photo'), 416: err('Range outside the photo') },
  },
  'DELETE /api/projects/:projectId/media/:mediaId': { tag: 'media', summary: 'Delete a photo', responses: { 204: { description: 'Deleted' }, 404: err('Unknown photo') } },
  'POST /api/projects/:projectId/uploads': { tag: 'media', summary: 'Start a chunked upload of one large photo', body: startUploadBodySchema, responses: { 201: { description: 'Send parts of partSize bytes', schema: startUploadResponseSchema }, 400: err('Invalid body or too large') } },
  'PUT /api/projects/:projectId/uploads/:uploadId/parts/:n': { tag: 'media', summary: 'Send part n (0-based); any order, re-sendable', rawBody: { contentTypes: ['application/octet-stream'], description: 'Exactly partSize bytes, the last part the rest' }, responses: { 200: { description: 'Stored', schema: uploadPartResponseSchema }, 400: err('Wrong size or part number'), 404: err('Unknown upload'), 409: err('Upload already complete') } },
  'POST /api/projects/:projectId/uploads/:uploadId/complete': { tag: 'media', summary: 'Assemble, verify and store the photo', responses: { 201: { description: 'Stored', schema: completeUploadResponseSchema }, 200: { description: 'Already stored (a repeated complete)', schema: completeUploadResponseSchema }, 404: err('Unknown upload'), 409: err('Parts missing'), 415: err('Not a supported photo'), 422: err('Checksum mismatch or unusable photo') } },
  'POST /api/projects/:projectId/runs': {
    tag: 'runs', summary: 'Start a run', body: startRunBodySchema,
    headers: [{ name: 'Idempotency-Key', description: 'Same key and body → the same run' }],
    responses: { 202: { description: 'Queued; links to follow it', schema: startRunResponseSchema }, 400: err('Invalid body'), 422: err('No photos, unknown photo, or a reused idempotency key'), 429: err('Too many runs queued or running') },
  },
  'GET /api/projects/:projectId/runs': { tag: 'runs', summary: 'Runs, newest first', query: [{ name: 'limit', description: '1 to 200 (default 50)', schema: { type: 'integer', minimum: 1, maximum: 200 } }], responses: { 200: { description: 'Summaries', schema: runListResponseSchema } } },
  'GET /api/projects/:projectId/runs/:runId': { tag: 'runs', summary: 'Run state', responses: { 200: { description: 'The RunState with renewed links', schema: runStateResponseSchema }, 404: err('Unknown run') } },
  'GET /api/projects/:projectId/runs/:runId/progress': {
    tag: 'runs', summary: 'Progress: SSE with Accept: text/event-stream, else JSON',
    query: [{ name: 'lastEventId', description: 'Resume after this seq (or the Last-Event-ID header)', schema: { type: 'integer', minimum: 0 } }, { name: 'exp', description: 'Signed link expiry', schema: { type: 'integer' } }, { name: 'sig', description: 'Signed link signature', schema: { type: 'string' } }],
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this seq' }],
    responses: { 200: { description: 'Events (JSON), or an event stream: progress, snapshot and done events', schema: progressListSchema }, 204: { description: 'The client already has the end of the run' }, 400: err('Bad id or Last-Event-ID'), 404: err('Unknown run') },
  },
  'POST /api/projects/:projectId/runs/:runId/cancel': { tag: 'runs', summary: 'Cancel a queued or running run', responses: { 202: { description: 'Cancelled (queued) or cancelling (running)', schema: cancelRunResponseSchema }, 404: err('Unknown run'), 409: err('Already finished') } },
  'GET /api/projects/:projectId/runs/:runId/video': {
    tag: 'runs', summary: 'The MP4; supports Range',
    headers: [RANGE_HEADER],
    query: [{ name: 'exp', description: 'Signed link expiry', schema: { type: 'integer' } }, { name: 'sig', description: 'Signed link signature', schema: { type: 'string' } }],
    responses: { 200: { description: 'The whole video (at most 16 MiB; HEAD gives the full Content-Length)', contentType: 'video/mp4' }, 206: { description: 'A range of it, at most 16 MiB', contentType: 'video/mp4' }, 400: err(RANGE_REQUIRED), 404: err('Unknown run'), 409: err('Not complete yet'), 416: err('Range outside the video') },
  },
  'POST /api/projects/:projectId/runs/:runId/evaluation': { tag: 'learning', summary: 'Rate a complete run; re-rating replaces', body: evaluateBodySchema, responses: { 201: { description: 'First rating', schema: evaluationSchema }, 200: { description: 'Replaced (or the same again)', schema: evaluationSchema }, 400: err('Invalid body'), 404: err('Unknown run'), 409: err('Run not complete') } },
  'GET /api/projects/:projectId/memory': { tag: 'learning', summary: "The project's memory_index.json", responses: { 200: { description: 'Memory index', schema: memoryIndexSchema }, 404: err('Unknown project') } },
  'POST /api/admin/repair': { tag: 'admin', summary: 'Check every store against the others and repair: orphan videos, audio, progress and leases; complete runs without their video; memory indexes that disagree with the evaluations; uploads never completed (admin)', body: repairBodySchema, responses: { 200: { description: 'What was found and what was repaired (nothing is changed with dryRun)', schema: repairReportSchema }, 400: err('Invalid body'), 401: err('No or invalid token'), 403: err('Not the admin token') } },
  'POST /api/admin/cleanup': { tag: 'admin', summary: 'Run retention now (admin)', body: cleanupBodySchema, responses: { 200: { description: 'CleanupReport', schema: cleanupReportSchema }, 400: err('Invalid body'), 401: err('No or invalid token'), 403: err('Not the admin token') } },
};

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** OpenAPI 3.1 for the route table, with JSON Schemas generated from the zod schemas. */
export function buildOpenApi(routes: Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = ROUTE_DOCS[`${route.method} ${route.path}`];
    if (!doc) throw new Error(`Route ${route.method} ${route.path} has no documentation in ROUTE_DOCS`);
    const parameters = [
      ...[...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
        name, in: 'path', required: true,
        schema: name === 'n' ? { type: 'integer', minimum: 0, maximum: 9999 } : { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      })),
      ...(doc.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
      ...(doc.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } })),
    ];
    const responses = Object.fromEntries(
      Object.entries(doc.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema ? { content: { 'application/json': { schema: toSchema(response.schema, 'output') } } } : response.contentType ? { content: { [response.contentType]: { schema: { type: 'string', format: 'binary' } } } } : {}),
        },
      ]),
    );
    const security = route.auth === 'none' ? [] : route.signedLink ? [{ bearer: [] }, { signedLink: [] }] : [{ bearer: [] }];
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = {
      tags: [doc.tag],
      summary: doc.summary,
      operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}]/g, '').split('/').filter(Boolean).map((s) => s[0]!.toUpperCase() + s.slice(1)).join('').replace(/[^A-Za-z0-9]/g, '')}`,
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(doc.body ? { requestBody: { required: false, content: { 'application/json': { schema: toSchema(doc.body, 'input') } } } } : {}),
      ...(doc.rawBody ? { requestBody: { required: true, description: doc.rawBody.description, content: Object.fromEntries(doc.rawBody.contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])) } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'SirTrav API', version: VERSION, description: 'Photos in, a narrated and scored MP4 out. Every error is { error: { code, message, details?, requestId } }.' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A project token (stp.…) or the admin token' },
        signedLink: { type: 'apiKey', in: 'query', name: 'sig', description: 'Signed, expiring link from a run’s links (with exp)' },
      },
      schemas: { Error: toSchema(errorBodySchema, 'output') },
    },
    paths,
  };
}

export function openApiRoutes(allRoutes: () => Route[]): Route[] {
  let cached: string | undefined;
  return [
    {
      method: 'GET',
      path: '/api/openapi.json',
      auth: 'none',
      handler: () => json(200, JSON.parse((cached ??= JSON.stringify(buildOpenApi(allRoutes()))))),
    },
  ];
}
