import { AppError } from '../errors.js';
import { mediaType, readBodyBytes } from '../http/body.js';
import { memorySource, RANGE_HEADER_DOC, rangeResponseDocs, serveBytes } from '../http/byte-response.js';
import { errorDoc, errorDocs } from '../http/errors.js';
import { json, noContent } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import {
  deleteMedia,
  examinePhoto,
  listMedia,
  pairLivePhotos,
  readMediaBytes,
  storePhoto,
  type Photo,
} from '../media/library.js';
import { photoPreview, PREVIEW_LONG_SIDE, PREVIEW_VERSION } from '../media/preview.js';
import { completeUpload, putPart, startUpload } from '../media/uploads.js';
import { requireProject } from '../projects/index.js';
import {
  completeUploadResponseSchema,
  DIRECT_UPLOAD_LIMIT,
  mediaListResponseSchema,
  startUploadBodySchema,
  startUploadResponseSchema,
  uploadPartResponseSchema,
} from '../schemas/media.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'media' });

/** What examining a photo refuses, whether it came whole or in parts. */
const photoRefusedDocs = errorDocs({
  415: 'Not JPEG, PNG, WebP, AVIF or HEIC, nor an MP4/MOV clip in H.264 or HEVC',
  422: 'Corrupt or truncated, a photo over 100 megapixels, or a clip over 60 s or 8K',
});

const CHUNKED_HINT = 'Send larger photos in parts: POST /api/projects/{projectId}/uploads.';
const RAW_TYPES = /^((image|video)\/[a-z0-9.+-]+|application\/octet-stream)$/;

/** The photos in a request: a raw image body or multipart/form-data with one or more files. */
async function photosFrom(request: Request): Promise<Photo[]> {
  const type = mediaType(request);
  const isMultipart = type === 'multipart/form-data';
  if (!isMultipart && !RAW_TYPES.test(type)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `Send the photo or clip as image/*, video/*, application/octet-stream or multipart/form-data (got "${type || 'none'}").`,
    );
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
      if (error instanceof AppError)
        throw new AppError(error.status, error.code, `${file.name || 'A file'}: ${error.message}`, {
          details: error.details,
        });
      throw error;
    }
  }
  return pairLivePhotos(photos);
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

export const mediaRoutes: Route[] = [
  projectRoute.post('/api/projects/:projectId/media', {
    operationId: 'uploadMedia',
    summary:
      'Upload photos and clips (MP4/MOV, H.264 or HEVC, up to 60 s): a raw body or multipart/form-data, at most 4 MiB per request; a HEIC and a MOV of the same base name in one request are one Live Photo',
    rawBody: {
      contentTypes: [
        'image/jpeg',
        'image/png',
        'image/webp',
        'image/avif',
        'image/heic',
        'video/mp4',
        'video/quicktime',
        'application/octet-stream',
        'multipart/form-data',
      ],
      description: 'Raw bytes (optional X-Filename, percent-encoded) or one or more files',
    },
    headers: [{ name: 'X-Filename', description: 'Original file name of a raw upload' }],
    responses: {
      201: { description: 'Stored (at least one new)', schema: mediaListResponseSchema },
      200: { description: 'Every photo was already there', schema: mediaListResponseSchema },
      ...errorDocs({
        400: 'Empty or malformed body',
        404: 'Unknown project',
        409: 'Photo limit reached',
        413: 'Larger than 4 MiB: use the chunked route',
      }),
      ...photoRefusedDocs,
    },
    handler: async ({ request, params: { projectId } }) => {
      await requireProject(projectId);
      const photos = await photosFrom(request);
      const stored = [];
      for (const photo of photos) stored.push(await storePhoto(projectId, photo));
      return json(stored.some((s) => s.created) ? 201 : 200, { media: stored.map((s) => s.media) });
    },
  }),
  projectRoute.get('/api/projects/:projectId/media', {
    operationId: 'listMedia',
    summary: 'List photos (from metadata)',
    responses: {
      200: { description: 'Photos, oldest upload first', schema: mediaListResponseSchema },
      404: errorDoc('Unknown project'),
    },
    handler: async ({ params: { projectId } }) => {
      await requireProject(projectId);
      return json(200, { media: await listMedia(projectId) });
    },
  }),
  projectRoute.get('/api/projects/:projectId/media/:mediaId', {
    operationId: 'getMedia',
    readLimit: 'bytes',
    summary: 'The original bytes; supports Range (a photo over 16 MiB is fetched in ranges)',
    headers: [RANGE_HEADER_DOC],
    responses: {
      ...rangeResponseDocs('photo', 'image/*'),
      304: { description: 'Not modified (If-None-Match)' },
      ...errorDocs({ 404: 'Unknown photo', 416: 'Range outside the photo' }),
    },
    handler: async ({ request, params: { projectId, mediaId } }) => {
      const { media, bytes } = await readMediaBytes(projectId, mediaId);
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
  }),
  projectRoute.get('/api/projects/:projectId/media/:mediaId/preview.jpg', {
    operationId: 'getMediaPreview',
    summary: `The photo as an sRGB JPEG, upright, its long side at most ${PREVIEW_LONG_SIDE} px (HEIC included)`,
    responses: {
      200: { description: 'The preview; immutable, with an ETag', contentType: 'image/jpeg' },
      304: { description: 'Not modified (If-None-Match)' },
      ...errorDocs({ 404: 'Unknown photo', 422: 'The photo cannot be decoded' }),
    },
    handler: async ({ request, params: { projectId, mediaId } }) => {
      const { media, bytes } = await readMediaBytes(projectId, mediaId);
      const etag = `"${media.sha256}-preview-${PREVIEW_VERSION}"`;
      // Content-addressed like the original, and the recipe is in the ETag.
      const headers = { etag, 'cache-control': 'private, max-age=31536000, immutable', 'content-type': 'image/jpeg' };
      if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
      const jpeg = await photoPreview(media, bytes).catch(() => {
        throw new AppError(422, 'preview_failed', `Photo ${mediaId} cannot be decoded for a preview.`);
      });
      return new Response(new Uint8Array(jpeg), {
        status: 200,
        headers: { ...headers, 'content-length': String(jpeg.byteLength) },
      });
    },
  }),
  projectRoute.delete('/api/projects/:projectId/media/:mediaId', {
    operationId: 'deleteMedia',
    summary: 'Delete a photo or clip (a Live Photo with its motion)',
    responses: {
      204: { description: 'Deleted' },
      ...errorDocs({ 404: 'Unknown photo', 409: 'The motion of a Live Photo: delete the photo' }),
    },
    handler: async ({ params: { projectId, mediaId } }) => {
      await deleteMedia(projectId, mediaId);
      return noContent();
    },
  }),
  projectRoute.post('/api/projects/:projectId/uploads', {
    operationId: 'startUpload',
    summary: 'Start a chunked upload of one large photo (at most 50 MB) or clip (at most 100 MB)',
    body: startUploadBodySchema,
    responses: {
      201: { description: 'Send parts of partSize bytes', schema: startUploadResponseSchema },
      400: errorDoc('Invalid body or too large'),
    },
    handler: async ({ params: { projectId }, body }) => {
      await requireProject(projectId);
      const session = await startUpload(projectId, body);
      return json(201, {
        uploadId: session.uploadId,
        partSize: session.partSize,
        partCount: session.partCount,
        expiresAt: session.expiresAt,
      });
    },
  }),
  projectRoute.put('/api/projects/:projectId/uploads/:uploadId/parts/:n', {
    operationId: 'uploadPart',
    summary: 'Send part n (0-based); any order, re-sendable',
    rawBody: {
      contentTypes: ['application/octet-stream'],
      description: 'Exactly partSize bytes, the last part the rest',
    },
    responses: {
      200: { description: 'Stored', schema: uploadPartResponseSchema },
      ...errorDocs({ 400: 'Wrong size or part number', 404: 'Unknown upload', 409: 'Upload already complete' }),
    },
    handler: async ({ request, params: { projectId, uploadId, n } }) => {
      const result = await putPart(projectId, uploadId, n, (limit) =>
        readBodyBytes(request, limit, 'A part may be at most partSize bytes.'),
      );
      return json(200, result);
    },
  }),
  projectRoute.post('/api/projects/:projectId/uploads/:uploadId/complete', {
    operationId: 'completeUpload',
    summary: 'Assemble, verify and store the photo or clip',
    responses: {
      201: { description: 'Stored', schema: completeUploadResponseSchema },
      200: { description: 'Already stored (a repeated complete)', schema: completeUploadResponseSchema },
      ...errorDocs({ 404: 'Unknown upload', 409: 'Parts missing' }),
      ...photoRefusedDocs,
      413: errorDoc('A photo over 50 MB'),
      422: errorDoc('Checksum mismatch, or corrupt, truncated, over 100 megapixels, or a clip over 60 s or 8K'),
    },
    handler: async ({ params: { projectId, uploadId } }) => {
      const { media, created } = await completeUpload(projectId, uploadId);
      return json(created ? 201 : 200, { media });
    },
  }),
];
