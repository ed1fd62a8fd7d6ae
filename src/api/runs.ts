import { z } from 'zod';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { signLink } from '../http/auth.js';
import { RANGE_HEADER_DOC, rangeResponseDocs, serveBytes, streamSource } from '../http/byte-response.js';
import { errorDoc } from '../http/errors.js';
import { json } from '../http/respond.js';
import { defineRoute, type Route } from '../http/route.js';
import { errorFields, log } from '../log.js';
import { requireProject } from '../projects/index.js';
import { cancelRun, parseIdempotencyKey, startRun, triggerPipeline } from '../runs/start.js';
import { listRunIds, readRunState, requireRun, summarize } from '../runs/state.js';
import {
  cancelRunResponseSchema,
  runListResponseSchema,
  runStateResponseSchema,
  startRunBodySchema,
  startRunResponseSchema,
  type RunState,
} from '../schemas/run.js';
import { getBinaryStream, keys, type Id } from '../storage/index.js';

/** `?limit=`: out-of-range or unreadable values fall back to the nearest sensible one rather than failing a listing. */
const runListQuerySchema = z.object({
  limit: z
    .string()
    .optional()
    .transform((raw) => Math.min(200, Math.max(1, Number(raw ?? 50) || 50)))
    .describe('1 to 200 (default 50)'),
});

function links(origin: string, projectId: Id, runId: Id) {
  const self = `/api/projects/${projectId}/runs/${runId}`;
  return {
    self: new URL(self, origin).href,
    progress: new URL(signLink(`${self}/progress`), origin).href,
    video: new URL(signLink(`${self}/video`), origin).href,
  };
}

/**
 * A queued or running run whose state has not moved for a while may have lost
 * its invocation (a crash, a platform timeout): ask for another. The lease makes
 * this harmless when the first one is still at work.
 */
async function resumeIfStalled(state: RunState, origin: string): Promise<void> {
  if (state.status !== 'queued' && state.status !== 'running') return;
  const idleMs = Date.now() - Date.parse(state.updatedAt);
  if (idleMs < 2 * getConfig().SIRTRAV_LEASE_TTL_MS) return;
  await triggerPipeline(origin, state.projectId, state.runId).catch((error) => log.warn('could not resume a stalled run', errorFields(error)));
}

export const runRoutes: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/api/projects/:projectId/runs',
    auth: 'project',
    tag: 'runs',
    summary: 'Start a run',
    body: startRunBodySchema,
    headers: [{ name: 'Idempotency-Key', description: 'Same key and body → the same run' }],
    responses: {
      202: { description: 'Queued; links to follow it', schema: startRunResponseSchema },
      400: errorDoc('Invalid body'),
      422: errorDoc('No photos, unknown photo, or a reused idempotency key'),
      429: errorDoc('Too many runs queued or running'),
    },
    handler: async ({ request, url, params: { projectId }, body }) => {
      await requireProject(projectId);
      const idempotencyKey = parseIdempotencyKey(request.headers.get('idempotency-key'));
      const { state } = await startRun(projectId, body, idempotencyKey, url.origin);
      const runLinks = links(url.origin, projectId, state.runId);
      return json(202, { runId: state.runId, status: state.status, links: runLinks }, { location: runLinks.self });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/projects/:projectId/runs',
    auth: 'project',
    tag: 'runs',
    summary: 'Runs, newest first',
    query: runListQuerySchema,
    responses: { 200: { description: 'Summaries', schema: runListResponseSchema } },
    handler: async ({ params: { projectId }, query: { limit } }) => {
      await requireProject(projectId);
      // Run ids start with their creation time, so the newest sort last.
      const newest = (await listRunIds(projectId)).sort().reverse().slice(0, limit);
      const states = await Promise.all(newest.map((runId) => readRunState(projectId, runId)));
      const runs = states.filter((state): state is RunState => state !== null).map(summarize).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return json(200, { runs });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/projects/:projectId/runs/:runId',
    auth: 'project',
    tag: 'runs',
    summary: 'Run state',
    responses: { 200: { description: 'The RunState with renewed links', schema: runStateResponseSchema }, 404: errorDoc('Unknown run') },
    handler: async ({ url, params: { projectId, runId } }) => {
      const state = await requireRun(projectId, runId);
      await resumeIfStalled(state, url.origin);
      return json(200, { ...state, links: links(url.origin, projectId, runId) });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/projects/:projectId/runs/:runId/cancel',
    auth: 'project',
    tag: 'runs',
    summary: 'Cancel a queued or running run',
    responses: {
      202: { description: 'Cancelled (queued) or cancelling (running)', schema: cancelRunResponseSchema },
      404: errorDoc('Unknown run'),
      409: errorDoc('Already finished'),
    },
    handler: async ({ params: { projectId, runId } }) => {
      const state = await cancelRun(projectId, runId);
      return json(202, { runId, status: state.status, cancelRequested: true });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/projects/:projectId/runs/:runId/video',
    auth: 'project',
    signedLink: true,
    tag: 'runs',
    summary: 'The MP4; supports Range (a video over 16 MiB is fetched in ranges)',
    headers: [RANGE_HEADER_DOC],
    responses: {
      ...rangeResponseDocs('video', 'video/mp4'),
      404: errorDoc('Unknown run'),
      409: errorDoc('Not complete yet'),
    },
    handler: async ({ request, params: { projectId, runId } }) => {
      const state = await requireRun(projectId, runId);
      if (state.status !== 'complete') throw new AppError(409, 'run_not_complete', `Run ${runId} is ${state.status}; the video exists once it is complete.`, { details: { status: state.status } });
      const blob = await getBinaryStream(keys.video(runId));
      if (!blob) throw new AppError(404, 'video_not_found', `The video of run ${runId} is missing.`);
      const size = Number(blob.metadata.bytes ?? state.outputs.video.bytes);
      const headers = { 'content-type': 'video/mp4', etag: `"${runId}-${size}"`, 'cache-control': 'private, max-age=3600' };
      return serveBytes(request, streamSource(blob.stream, size), headers, 'video');
    },
  }),
];
