import { readCaptions, toWebVtt, WEBVTT_TYPE } from '../captions/index.js';
import { AppError } from '../errors.js';
import { memorySource, RANGE_HEADER_DOC, rangeResponseDocs, serveBytes } from '../http/byte-response.js';
import { errorDoc, errorDocs } from '../http/errors.js';
import { json, noContent } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { requireProject } from '../projects/index.js';
import { videoOf } from '../runs/video.js';
import {
  createShareBodySchema,
  shareListResponseSchema,
  shareResponseSchema,
  type ShareRecord,
} from '../schemas/share.js';
import {
  createShare,
  listRunShares,
  openSharedRun,
  renderSharePage,
  revokeShare,
  shareNotFound,
} from '../shares/index.js';
import { getBinary, getMetadata, keys, openVideo, type Id } from '../storage/index.js';
import { captionsResponse } from './captions.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'sharing' });
const publicRoute = routeGroup({ auth: 'none', tag: 'sharing' });

/** Where a share lives: addresses that name the share alone, never its project or run. */
const sharePath = (shareId: Id, file = '') => `/api/share/${shareId}${file}`;
const shareAnswer = (origin: string, share: ShareRecord) => ({
  shareId: share.shareId,
  url: new URL(sharePath(share.shareId), origin).href,
  expiresAt: share.expiresAt,
});

/**
 * Public answers are never stored by a shared cache (a revoked share must stop
 * at once); the page sends no referrer, so its address (the share) does not
 * leak to other sites.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
};
const MEDIA_CACHE = 'private, no-cache';
const NOT_FOUND = {
  404: errorDoc('share_not_found: no such share, or it expired or was revoked, or its video is gone'),
};

const projectShareRoutes: Route[] = [
  projectRoute.post('/api/projects/:projectId/runs/:runId/share', {
    operationId: 'createShare',
    summary: "Share a complete run's video: a public page (no token) that unfolds in chat apps",
    body: createShareBodySchema,
    responses: {
      201: { description: 'The share: its page, and when it stops working', schema: shareResponseSchema },
      ...errorDocs({
        400: '`expiresInSec` outside 60 to 7776000 (90 days), or another bad body',
        404: 'Unknown run',
        409: 'Not complete yet',
      }),
    },
    handler: async ({ url, params: { projectId, runId }, body }) => {
      await requireProject(projectId);
      await videoOf(projectId, runId);
      const share = await createShare({ projectId, runId, expiresInSec: body.expiresInSec });
      const answer = shareAnswer(url.origin, share);
      return json(201, answer, { location: answer.url });
    },
  }),
  projectRoute.get('/api/projects/:projectId/runs/:runId/shares', {
    operationId: 'listShares',
    summary: "The run's shares that still work, oldest first",
    responses: { 200: { description: 'Live shares', schema: shareListResponseSchema } },
    handler: async ({ url, params: { projectId, runId } }) => {
      const shares = await listRunShares(projectId, runId);
      return json(200, {
        shares: shares.map((share) => ({ ...shareAnswer(url.origin, share), createdAt: share.createdAt })),
      });
    },
  }),
  projectRoute.delete('/api/projects/:projectId/runs/:runId/share/:shareId', {
    operationId: 'revokeShare',
    summary: 'Revoke a share: its page, video, poster and captions answer 404 from now on',
    responses: {
      204: { description: 'Revoked' },
      ...errorDocs({ 404: 'No such share of this run (or already revoked or expired)' }),
    },
    handler: async ({ params: { projectId, runId, shareId } }) => {
      await revokeShare(projectId, runId, shareId);
      return noContent();
    },
  }),
];

const publicShareRoutes: Route[] = [
  publicRoute.get('/api/share/:shareId', {
    operationId: 'getSharePage',
    summary: 'The public page of a shared video, with Open Graph and Twitter card tags',
    responses: {
      200: { description: 'An HTML page: the video with its poster and captions', contentType: 'text/html' },
      ...NOT_FOUND,
    },
    handler: async ({ url, params: { shareId } }) => {
      const { share, video } = await openSharedRun(shareId);
      const absolute = (file: string) => new URL(sharePath(shareId, file), url.origin).href;
      // An archived run keeps its video but not its storyboard: its page has no captions.
      const [poster, cues] = await Promise.all([
        getMetadata(keys.poster(share.runId)),
        video.storyboard ? readCaptions(share.projectId, share.runId, video) : [],
      ]);
      const page = renderSharePage({
        title: video.theme?.trim() || 'A SirTrav video',
        pageUrl: absolute(''),
        videoUrl: absolute('/video'),
        posterUrl: poster ? absolute('/poster.jpg') : null,
        captionsUrl: cues.length > 0 ? absolute('/captions.vtt') : null,
        width: video.width,
        height: video.height,
        durationSec: video.durationSec,
      });
      return new Response(page, { status: 200, headers: PAGE_HEADERS });
    },
  }),
  publicRoute.get('/api/share/:shareId/video', {
    operationId: 'getSharedVideo',
    readLimit: 'bytes',
    summary: 'The shared MP4; supports Range (a video over 16 MiB is fetched in ranges)',
    headers: [RANGE_HEADER_DOC],
    responses: { ...rangeResponseDocs('video', 'video/mp4'), ...NOT_FOUND },
    handler: async ({ request, params: { shareId } }) => {
      const { share, video } = await openSharedRun(shareId, { videoStored: 'checked' });
      const stored = await openVideo({ runId: share.runId, knownBytes: video.bytes });
      if (!stored) throw shareNotFound();
      // The etag names the share, not the run.
      return serveBytes(
        request,
        stored,
        { 'content-type': 'video/mp4', etag: `"${shareId}-${stored.size}"`, 'cache-control': MEDIA_CACHE },
        'video',
      );
    },
  }),
  publicRoute.get('/api/share/:shareId/poster.jpg', {
    operationId: 'getSharedPoster',
    readLimit: 'bytes',
    summary: "The shared video's poster frame (JPEG)",
    responses: {
      200: { description: 'The poster', contentType: 'image/jpeg' },
      404: errorDoc('share_not_found (as for the page), or poster_not_found: this video has no poster'),
    },
    handler: async ({ request, params: { shareId } }) => {
      const { share } = await openSharedRun(shareId);
      const poster = await getBinary(keys.poster(share.runId));
      if (!poster) throw new AppError(404, 'poster_not_found', 'This video has no poster.');
      return serveBytes(
        request,
        memorySource(poster.data),
        { 'content-type': 'image/jpeg', 'cache-control': MEDIA_CACHE },
        'poster',
      );
    },
  }),
  publicRoute.get('/api/share/:shareId/captions.vtt', {
    operationId: 'getSharedCaptions',
    summary: "The shared video's captions (WebVTT), for the page's track",
    responses: {
      200: {
        description: 'WebVTT captions (a valid file with no cues for a video without narration)',
        contentType: 'text/vtt',
      },
      ...NOT_FOUND,
    },
    handler: async ({ params: { shareId } }) => {
      const { share, video } = await openSharedRun(shareId);
      return captionsResponse(toWebVtt(await readCaptions(share.projectId, share.runId, video)), WEBVTT_TYPE);
    },
  }),
];

export const shareRoutes: Route[] = [...projectShareRoutes, ...publicShareRoutes];
