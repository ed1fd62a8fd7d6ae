import { AppError } from '../errors.js';
import { mediaType, readBodyBytes, readJson } from '../http/body.js';
import { memorySource, serveBytes } from '../http/byte-response.js';
import { json, noContent } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { deleteMedia, examinePhoto, listMedia, readMediaBytes, storePhoto, type Photo } from '../media/library.js';
import { completeUpload, putPart, startUpload } from '../media/uploads.js';
import { requireProject } from '../projects/index.js';
import { DIRECT_UPLOAD_LIMIT, startUploadBodySchema } from '../schemas/media.js';
import type { Id } from '../storage/index.js';

const CHUNKED_HINT = 'Send larger photos in parts: POST /api/projects/{projectId}/uploads.';
const RAW_TYPES = /^(image\/[a-z0-9.+-]+|application\/octet-stream)$/;

/** The photos in a request: a raw image body or multipart/form-data with one or more files. */
async function photosFrom(request: Request): Promise<Photo[]> {
  const type = mediaType(request);
  const isMultipart = type === 'multipart/form-data';
  if (!isMultipart && !RAW_TYPES.test(type)) {
    throw new AppError(415, 'unsupported_media_type', `Send the photo as image/*, application/octet-stream or multipart/form-data (got "${type || 'none'}").`);
  }
  const body = await readBodyBytes(request, DIRECT_UPLOAD_LIMIT, CHUNKED_HINT);
  if (body.byteLength === 0) throw new AppError(400, 'empty_body', 'The request has no photo in it.');
  if (!isMultipart) return [await examinePhoto(body, decodeFilename(request.headers.get('x-filename')))];

  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
  } catch {
    throw new AppError(400, 'invalid_multipart', 'The multipart body cannot be parsed.');
  }
  const files = [...form.values()].filter((value): value is File => typeof value !== 'string');
  if (files.length === 0) throw new AppError(400, 'empty_body', 'The multipart body holds no file.');
  // Every file is checked before any is stored: one bad file stores nothing.
  const photos: Photo[] = [];
  for (const file of files) {
    try {
      photos.push(await examinePhoto(new Uint8Array(await file.arrayBuffer()), file.name));
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.status, error.code, `${file.name || 'A file'}: ${error.message}`, { details: error.details });
      throw error;
    }
  }
  return photos;
}

/** X-Filename may be percent-encoded (header values cannot carry other characters safely). */
function decodeFilename(header: string | null): string | null {
  if (header === null) return null;
  try {
    return decodeURIComponent(header);
  } catch {
    return header;
  }
}

const projectOf = (params: Record<string, string>) => params.projectId as Id;

export const mediaRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/projects/:projectId/media',
    auth: 'project',
    handler: async ({ request, params }) => {
      const projectId = projectOf(params);
      await requireProject(projectId);
      const photos = await photosFrom(request);
      const stored = [];
      for (const photo of photos) stored.push(await storePhoto(projectId, photo));
      return json(stored.some((s) => s.created) ? 201 : 200, { media: stored.map((s) => s.media) });
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/media',
    auth: 'project',
    handler: async ({ params }) => {
      await requireProject(projectOf(params));
      return json(200, { media: await listMedia(projectOf(params)) });
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/media/:mediaId',
    auth: 'project',
    handler: async ({ request, params }) => {
      const { media, bytes } = await readMediaBytes(projectOf(params), params.mediaId as Id);
      const etag = `"${media.sha256}"`;
      const headers = {
        etag,
        // Content-addressed: the bytes behind an id never change.
        'cache-control': 'private, max-age=31536000, immutable',
        'content-type': media.contentType,
        'x-content-type-options': 'nosniff',
        'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(media.filename)}`,
      };
      if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
      return serveBytes(request, memorySource(bytes), headers, 'photo');
    },
  },
  {
    method: 'DELETE',
    path: '/api/projects/:projectId/media/:mediaId',
    auth: 'project',
    handler: async ({ params }) => {
      await deleteMedia(projectOf(params), params.mediaId as Id);
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/api/projects/:projectId/uploads',
    auth: 'project',
    handler: async ({ request, params }) => {
      await requireProject(projectOf(params));
      const body = await readJson(request, startUploadBodySchema);
      const session = await startUpload(projectOf(params), body);
      return json(201, { uploadId: session.uploadId, partSize: session.partSize, partCount: session.partCount, expiresAt: session.expiresAt });
    },
  },
  {
    method: 'PUT',
    path: '/api/projects/:projectId/uploads/:uploadId/parts/:n',
    auth: 'project',
    handler: async ({ request, params }) => {
      const result = await putPart(projectOf(params), params.uploadId as Id, Number(params.n), (limit) => readBodyBytes(request, limit, 'A part may be at most partSize bytes.'));
      return json(200, result);
    },
  },
  {
    method: 'POST',
    path: '/api/projects/:projectId/uploads/:uploadId/complete',
    auth: 'project',
    handler: async ({ params }) => {
      const { media, created } = await completeUpload(projectOf(params), params.uploadId as Id);
      return json(created ? 201 : 200, { media });
    },
  },
];
