import { AppError } from '../errors.js';
import { signLink } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { serveBytes, streamSource } from '../http/byte-response.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { requireProject } from '../projects/index.js';
import { cancelRun, parseIdempotencyKey, startRun } from '../runs/start.js';
import { listRunIds, readRunState, requireRun, summarize } from '../runs/state.js';
import { startRunBodySchema, type RunState } from '../schemas/run.js';
import { getBinaryStream, keys, type Id } from '../storage/index.js';

const ids = (params: Record<string, string>) => ({ projectId: params.projectId as Id, runId: params.runId as Id });

function links(origin: string, projectId: Id, runId: Id) {
  const self = `/api/projects/${projectId}/runs/${runId}`;
  return {
    self: new URL(self, origin).href,
    progress: new URL(signLink(`${self}/progress`), origin).href,
    video: new URL(signLink(`${self}/video`), origin).href,
  };
}

export const runRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/projects/:projectId/runs',
    auth: 'project',
    handler: async ({ request, url, params }) => {
      const { projectId } = ids(params);
      await requireProject(projectId);
      const body = await readJson(request, startRunBodySchema);
      const idempotencyKey = parseIdempotencyKey(request.headers.get('idempotency-key'));
      const { state } = await startRun(projectId, body, idempotencyKey, url.origin);
      const runLinks = links(url.origin, projectId, state.runId);
      return json(202, { runId: state.runId, status: state.status, links: runLinks }, { location: runLinks.self });
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/runs',
    auth: 'project',
    handler: async ({ url, params }) => {
      const { projectId } = ids(params);
      await requireProject(projectId);
      const limit = Math.min(200, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
      // Run ids start with their creation time, so the newest sort last.
      const newest = (await listRunIds(projectId)).sort().reverse().slice(0, limit);
      const states = await Promise.all(newest.map((runId) => readRunState(projectId, runId)));
      const runs = states.filter((state): state is RunState => state !== null).map(summarize).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return json(200, { runs });
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/runs/:runId',
    auth: 'project',
    handler: async ({ url, params }) => {
      const { projectId, runId } = ids(params);
      // Reading a run changes nothing: stalled runs are the watchdog's job (src/pipeline/watchdog.ts).
      const state = await requireRun(projectId, runId);
      return json(200, { ...state, links: links(url.origin, projectId, runId) });
    },
  },
  {
    method: 'POST',
    path: '/api/projects/:projectId/runs/:runId/cancel',
    auth: 'project',
    handler: async ({ params }) => {
      const { projectId, runId } = ids(params);
      const state = await cancelRun(projectId, runId);
      return json(202, { runId, status: state.status, cancelRequested: true });
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/runs/:runId/video',
    auth: 'project',
    signedLink: true,
    handler: async ({ request, params }) => {
      const { projectId, runId } = ids(params);
      const state = await requireRun(projectId, runId);
      if (state.status !== 'complete') throw new AppError(409, 'run_not_complete', `Run ${runId} is ${state.status}; the video exists once it is complete.`, { details: { status: state.status } });
      const blob = await getBinaryStream(keys.video(runId));
      if (!blob) throw new AppError(404, 'video_not_found', `The video of run ${runId} is missing.`);
      const size = Number(blob.metadata.bytes ?? state.outputs.video.bytes);
      const headers = { 'content-type': 'video/mp4', etag: `"${runId}-${size}"`, 'cache-control': 'private, max-age=3600' };
      return serveBytes(request, streamSource(blob.stream, size), headers, 'video');
    },
  },
];
