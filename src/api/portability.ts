import { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { issueProjectToken } from '../http/auth.js';
import { mediaType, readBodyBytes, readJson } from '../http/body.js';
import { errorDoc, errorDocs, invalidBodyDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { exportPart, exportProgress, prepareExport } from '../portability/export.js';
import {
  advanceImport,
  importProgress,
  type AdvancedImport,
  IMPORT_PART_SIZE,
  putImportPart,
  requireImport,
  rollbackImport,
  startImport,
} from '../portability/import.js';
import { siteKey, signsWithLocalKey } from '../portability/signing.js';
import { requireProject } from '../projects/index.js';
import type { Id } from '../schemas/common.js';
import {
  completeImportBodySchema,
  exportDescriptorSchema,
  exportKeyResponseSchema,
  exportQuerySchema,
  importPartResponseSchema,
  importProgressSchema,
  importQuerySchema,
  importResultSchema,
  startImportBodySchema,
  startImportResponseSchema,
} from '../schemas/portability.js';

const adminRoute = routeGroup({ auth: 'admin', tag: 'portability' });
const projectRoute = routeGroup({ auth: 'project', tag: 'portability' });

/** A buffered function answers within 60 s; each call does this much work and saves where it got to. */
const EXPORT_BUDGET_MS = 20_000;
const IMPORT_BUDGET_MS = 40_000;
const ARCHIVE_TYPES = new Set(['application/x-tar', 'application/octet-stream']);

function exportLinks(origin: string, projectId: Id, exportId: Id, parts?: number) {
  const self = `${origin}/api/projects/${projectId}/export?exportId=${exportId}`;
  return {
    self,
    ...(parts === undefined ? {} : { parts: Array.from({ length: parts }, (_, n) => `${self}&part=${n}`) }),
  };
}

function importAnswer(session: AdvancedImport): Response {
  if (session.status === 'complete' && session.plan && session.summary) {
    return json(201, {
      projectId: session.plan.projectId,
      token: issueProjectToken(session.plan.projectId),
      webhookSecret: session.webhookSecret ?? null,
      imported: session.summary,
    });
  }
  return json(202, importProgress(session), { 'retry-after': '1' });
}

async function servePart(projectId: Id, exportId: Id | undefined, part: number): Promise<Response> {
  if (!exportId)
    throw new AppError(
      400,
      'export_id_required',
      'A part needs the exportId it belongs to: …/export?exportId=…&part=N.',
    );
  const { stream, bytes, manifest } = await exportPart(projectId, exportId, part);
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      'content-type': 'application/x-tar',
      'content-length': String(bytes),
      'content-disposition': `attachment; filename="${projectId}-${exportId}.tar.part${String(part).padStart(4, '0')}"`,
      'x-export-parts': String(manifest.parts),
      'cache-control': 'private, no-store',
    },
  });
}

export const portabilityRoutes: Route[] = [
  adminRoute.get('/api/admin/export-key', {
    operationId: 'getExportKey',
    summary:
      "This site's export key: the public half of the Ed25519 key its exports are signed with (derived from SIRTRAV_API_SECRET with HKDF-SHA256, info `sirtrav export signing v1`; it changes when the secret does). Another site imports this site's archives only when given this key as exportKey. Without a secret (a local process) it is a fixed, public local key: archives are still checked whole, but their origin is not proven",
    responses: { 200: { description: "This site's export key", schema: exportKeyResponseSchema } },
    handler: async () => json(200, { exportKey: siteKey().exportKey, local: signsWithLocalKey() }),
  }),
  projectRoute.get('/api/projects/:projectId/export', {
    operationId: 'exportProject',
    readLimit: 'bytes',
    summary:
      'Export the whole project as one tar archive, served in parts. Without `part`: prepares the export (hashing every blob; resumable: call links.self again while 202) and answers its descriptor. With exportId and part: bytes [part × partSize, (part + 1) × partSize) of the archive (application/x-tar, each within the 20 MB response limit); joined in order, the parts are one tar file whose first entry, manifest.json, lists every blob (store, key, size, SHA-256, metadata), the part count and the total size; the second, manifest.sig, is the Ed25519 signature of the manifest by this site (exportKey in the descriptor, and GET /api/admin/export-key)',
    query: exportQuerySchema,
    responses: {
      200: {
        description: 'Ready: the descriptor with a link per part (or, with part, the part itself as application/x-tar)',
        schema: exportDescriptorSchema,
      },
      202: { description: 'Still preparing: call links.self again', schema: exportDescriptorSchema },
      ...errorDocs({
        400: 'Bad query, or part without exportId',
        404: 'Unknown project or export',
        409: 'export_not_ready, or export_stale: the project changed since the export was prepared',
        410: 'Export expired (after 24 h)',
        416: 'No such part',
      }),
    },
    handler: async ({ url, params: { projectId }, query }) => {
      await requireProject(projectId);
      if (query.part !== undefined) return servePart(projectId, query.exportId, query.part);
      const job = await prepareExport(projectId, {
        ...(query.exportId ? { exportId: query.exportId } : {}),
        ...(query.partSize ? { partSize: query.partSize } : {}),
        budgetMs: EXPORT_BUDGET_MS,
      });
      const manifest = job.manifest;
      const body = {
        exportId: job.exportId,
        projectId,
        status: manifest ? 'ready' : 'preparing',
        ...exportProgress(job),
        createdAt: job.createdAt,
        expiresAt: job.expiresAt,
        ...(manifest ? { parts: manifest.parts, partSize: manifest.partSize, totalBytes: manifest.totalBytes } : {}),
        exportKey: siteKey().exportKey,
        links: exportLinks(url.origin, projectId, job.exportId, manifest?.parts),
      };
      return json(manifest ? 200 : 202, body, manifest ? {} : { 'retry-after': '1' });
    },
  }),
  adminRoute.post('/api/admin/imports', {
    operationId: 'startImport',
    summary:
      'Start a chunked import of an export archive (admin): then PUT its parts and POST /api/admin/import { importId }',
    body: startImportBodySchema,
    responses: {
      201: {
        description: 'Send partCount parts of partSize bytes (the last one the rest)',
        schema: startImportResponseSchema,
      },
      413: errorDoc('Archive too large'),
    },
    handler: async ({ body }) => {
      const session = await startImport(body);
      return json(201, {
        importId: session.importId,
        partSize: session.partSize,
        partCount: session.partCount,
        expiresAt: session.expiresAt,
      });
    },
  }),
  adminRoute.put('/api/admin/imports/:importId/parts/:n', {
    operationId: 'uploadImportPart',
    summary: 'Send part n (0-based) of the archive; any order, re-sendable until the import is completed',
    rawBody: {
      contentTypes: ['application/octet-stream', 'application/x-tar'],
      description: 'Exactly partSize bytes (4 MiB), the last part the rest',
    },
    responses: {
      200: { description: 'Stored', schema: importPartResponseSchema },
      ...errorDocs({
        400: 'Wrong size or part number',
        404: 'Unknown import',
        409: 'The import no longer takes parts',
      }),
    },
    handler: async ({ request, params: { importId, n } }) =>
      json(
        200,
        await putImportPart(importId, n, (limit) =>
          readBodyBytes(request, limit, `A part may be at most ${limit} bytes.`),
        ),
      ),
  }),
  adminRoute.get('/api/admin/imports/:importId', {
    operationId: 'getImport',
    summary: 'Where an import stands',
    responses: { 200: { description: 'Progress', schema: importProgressSchema }, 404: errorDoc('Unknown import') },
    handler: async ({ params: { importId } }) => json(200, importProgress(await requireImport(importId))),
  }),
  adminRoute.delete('/api/admin/imports/:importId', {
    operationId: 'rollbackImport',
    summary: 'Roll back an unfinished import: removes what it wrote, its marker and its staged parts',
    responses: {
      200: { description: 'Rolled back', schema: importProgressSchema },
      ...errorDocs({ 404: 'Unknown import', 409: 'Already complete' }),
    },
    handler: async ({ params: { importId } }) => json(200, importProgress(await rollbackImport(importId))),
  }),
  adminRoute.post('/api/admin/import', {
    operationId: 'importProject',
    summary:
      'Import an export into a new project, or into an existing empty one (admin). JSON { importId } completes a chunked import; a raw application/x-tar body of at most 4 MiB is a whole small archive (optional ?projectId=). The signature of the manifest must verify under the export key of this site, or under the exportKey given with the import (that of another site: its GET /api/admin/export-key); then every blob is verified against the manifest (size and SHA-256; no entry missing, added or out of place; only kinds of blob a project is made of, each within its size limit; every document decoded and validated like a write, decompressed size capped) before anything is written. The project is new (a new id unless ?projectId= names a new id or an existing empty project) and every run gets a new id; blobs are written only where their key is free, a new webhook secret and the project record last. Secrets are never imported: the answer that completes the import carries the new webhookSecret (null when asked again). A call that runs out of time answers 202: call again to resume',
    rawBody: {
      contentTypes: ['application/json', 'application/x-tar'],
      description: 'JSON { importId } (a chunked import), or a whole archive of at most 4 MiB',
      json: completeImportBodySchema,
    },
    query: importQuerySchema,
    responses: {
      201: { description: 'Imported', schema: importResultSchema },
      202: { description: 'In progress: call again', schema: importProgressSchema },
      ...invalidBodyDocs,
      ...errorDocs({
        404: 'Unknown import',
        409: 'Parts missing, target not empty, another import running, or a blob already exists (never overwritten)',
        410: 'Rolled back',
        413: 'Raw archive over 4 MiB: use the chunked import',
        422: 'Refused: an archive not signed by a trusted key (untrusted_signer, invalid_signature, unsigned_archive), or damaged or tampered (hash or size mismatch, missing, extra or misplaced entry, unsafe, foreign or unexpected key, secret_in_archive, blob_too_large, invalid_document); nothing was written',
      }),
    },
    handler: async ({ request, query }) => {
      if (!ARCHIVE_TYPES.has(mediaType(request))) {
        const { importId } = await readJson(request, completeImportBodySchema);
        return importAnswer(await advanceImport(importId, IMPORT_BUDGET_MS));
      }
      // A small archive in one request: staged as a one-part import, then the same path as any other.
      const bytes = await readBodyBytes(
        request,
        IMPORT_PART_SIZE,
        'Send larger archives in parts: POST /api/admin/imports.',
      );
      if (bytes.byteLength === 0) throw new AppError(400, 'empty_body', 'The request holds no archive.');
      const session = await startImport({
        bytes: bytes.byteLength,
        ...(query.projectId ? { projectId: query.projectId } : {}),
        ...(query.exportKey ? { exportKey: query.exportKey } : {}),
      });
      await putImportPart(session.importId, 0, async () => bytes);
      return importAnswer(await advanceImport(session.importId, IMPORT_BUDGET_MS));
    },
  }),
];
