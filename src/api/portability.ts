import { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { issueProjectToken } from '../http/auth.js';
import { mediaType, readBodyBytes, readJson } from '../http/body.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { exportPart, exportProgress, prepareExport } from '../portability/export.js';
import { advanceImport, importProgress, IMPORT_PART_SIZE, putImportPart, requireImport, rollbackImport, startImport } from '../portability/import.js';
import type { ImportSession } from '../portability/import-session.js';
import { requireProject } from '../projects/index.js';
import { completeImportBodySchema, exportQuerySchema, startImportBodySchema } from '../schemas/portability.js';
import { idSchema, type Id } from '../storage/index.js';

/** A buffered function answers within 60 s; each call does this much work and saves where it got to. */
const EXPORT_BUDGET_MS = 20_000;
const IMPORT_BUDGET_MS = 40_000;
const ARCHIVE_TYPES = new Set(['application/x-tar', 'application/octet-stream']);

function exportLinks(origin: string, projectId: Id, exportId: Id, parts?: number) {
  const self = `${origin}/api/projects/${projectId}/export?exportId=${exportId}`;
  return { self, ...(parts === undefined ? {} : { parts: Array.from({ length: parts }, (_, n) => `${self}&part=${n}`) }) };
}

function importAnswer(session: ImportSession): Response {
  if (session.status === 'complete' && session.plan && session.summary) {
    return json(201, { projectId: session.plan.projectId, token: issueProjectToken(session.plan.projectId as Id), imported: session.summary });
  }
  return json(202, importProgress(session), { 'retry-after': '1' });
}

export const portabilityRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/projects/:projectId/export',
    auth: 'project',
    handler: async ({ url, params }) => {
      const projectId = params.projectId as Id;
      await requireProject(projectId);
      const query = exportQuerySchema.parse(Object.fromEntries(url.searchParams));
      if (query.part !== undefined) {
        if (!query.exportId) throw new AppError(400, 'export_id_required', 'A part needs the exportId it belongs to: …/export?exportId=…&part=N.');
        const { stream, bytes, manifest } = await exportPart(projectId, query.exportId, query.part);
        return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
          status: 200,
          headers: {
            'content-type': 'application/x-tar',
            'content-length': String(bytes),
            'content-disposition': `attachment; filename="${projectId}-${query.exportId}.tar.part${String(query.part).padStart(4, '0')}"`,
            'x-export-parts': String(manifest.parts),
            'cache-control': 'private, no-store',
          },
        });
      }
      const job = await prepareExport(projectId, { ...(query.exportId ? { exportId: query.exportId } : {}), ...(query.partSize ? { partSize: query.partSize } : {}), budgetMs: EXPORT_BUDGET_MS });
      const { done, total } = exportProgress(job);
      const manifest = job.manifest;
      const body = {
        exportId: job.exportId,
        projectId,
        status: manifest ? 'ready' : 'preparing',
        done,
        total,
        createdAt: job.createdAt,
        expiresAt: job.expiresAt,
        ...(manifest ? { parts: manifest.parts, partSize: manifest.partSize, totalBytes: manifest.totalBytes } : {}),
        links: exportLinks(url.origin, projectId, job.exportId, manifest?.parts),
      };
      return json(manifest ? 200 : 202, body, manifest ? {} : { 'retry-after': '1' });
    },
  },
  {
    method: 'POST',
    path: '/api/admin/imports',
    auth: 'admin',
    handler: async ({ request }) => {
      const session = await startImport(await readJson(request, startImportBodySchema));
      return json(201, { importId: session.importId, partSize: session.partSize, partCount: session.partCount, expiresAt: session.expiresAt });
    },
  },
  {
    method: 'PUT',
    path: '/api/admin/imports/:importId/parts/:n',
    auth: 'admin',
    handler: async ({ request, params }) => {
      const result = await putImportPart(params.importId as Id, Number(params.n), (limit) => readBodyBytes(request, limit, `A part may be at most ${limit} bytes.`));
      return json(200, result);
    },
  },
  {
    method: 'GET',
    path: '/api/admin/imports/:importId',
    auth: 'admin',
    handler: async ({ params }) => json(200, importProgress(await requireImport(params.importId as Id))),
  },
  {
    method: 'DELETE',
    path: '/api/admin/imports/:importId',
    auth: 'admin',
    handler: async ({ params }) => json(200, importProgress(await rollbackImport(params.importId as Id))),
  },
  {
    method: 'POST',
    path: '/api/admin/import',
    auth: 'admin',
    handler: async ({ request, url }) => {
      if (ARCHIVE_TYPES.has(mediaType(request))) {
        // A small archive in one request: staged as a one-part import, then the same path as any other.
        const projectId = url.searchParams.get('projectId');
        const bytes = await readBodyBytes(request, IMPORT_PART_SIZE, 'Send larger archives in parts: POST /api/admin/imports.');
        if (bytes.byteLength === 0) throw new AppError(400, 'empty_body', 'The request holds no archive.');
        const session = await startImport({ bytes: bytes.byteLength, ...(projectId !== null ? { projectId: idSchema.parse(projectId) } : {}) });
        await putImportPart(session.importId, 0, async () => bytes);
        return importAnswer(await advanceImport(session.importId, IMPORT_BUDGET_MS));
      }
      const body = await readJson(request, completeImportBodySchema);
      return importAnswer(await advanceImport(body.importId, IMPORT_BUDGET_MS));
    },
  },
];
