import { AppError } from '../errors.js';
import { signLink } from '../http/auth.js';
import { readJson } from '../http/body.js';
import { serveBytes, streamSource } from '../http/byte-response.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { requireProject } from '../projects/index.js';
import { cancelRun, parseIdempotencyKey, startRun } from '../runs/start.js';
import { readArchive, type ArchiveRecord } from '../retention/archive.js';
import { listRunIds, readRunState, requireRun, summarize } from '../runs/state.js';
import { startRunBodySchema, type RunSummary } from '../schemas/run.js';
import { getBinaryStream, isId, keys, listKeyPages, type Id } from '../storage/index.js';

const ids = (params: Record<string, string>) => ({ projectId: params.projectId as Id, runId: params.runId as Id });

function links(origin: string, projectId: Id, runId: Id) {
  const self = `/api/projects/${projectId}/runs/${runId}`;
  return {
    self: new URL(self, origin).href,
    progress: new URL(signLink(`${self}/progress`), origin).href,
    video: new URL(signLink(`${self}/video`), origin).href,
  };
}

/**
 * The facts of a run's video, from its state or, once retention has archived
 * the run's documents, from its archive record: videos are kept as long as
 * they are stored, and the archive record (kept under this project) is what
 * authorises serving one to the project.
 */
async function videoOf(projectId: Id, runId: Id): Promise<{ bytes: number }> {
  const state = await readRunState(projectId, runId);
  if (state) {
    if (state.status !== 'complete') throw new AppError(409, 'run_not_complete', `Run ${runId} is ${state.status}; the video exists once it is complete.`, { details: { status: state.status } });
    return state.outputs.video;
  }
  const archived = await readArchive(projectId, runId);
  if (!archived) throw new AppError(404, 'run_not_found', `Run ${runId} does not exist in project ${projectId}.`);
  if (archived.status !== 'complete' || !archived.video) throw new AppError(409, 'run_not_complete', `Run ${runId} ended ${archived.status}; it has no video.`, { details: { status: archived.status } });
  return archived.video;
}

/** Live runs and archived ones (their documents expired, their videos kept), newest first. */
async function listRuns(projectId: Id, limit: number): Promise<RunSummary[]> {
  // Run ids start with their creation time, so the newest sort last.
  const ids = new Set(await listRunIds(projectId));
  for await (const page of listKeyPages('runs', keys.archivePrefix(projectId))) {
    for (const key of page) {
      const runId = key.slice(keys.archivePrefix(projectId).length).replace(/\.json$/, '');
      if (isId(runId)) ids.add(runId);
    }
  }
  const newest = [...ids].sort().reverse().slice(0, limit);
  const summaries = await Promise.all(
    newest.map(async (runId) => {
      const state = await readRunState(projectId, runId);
      if (state) return summarize(state);
      const record = await readArchive(projectId, runId);
      return record ? summarizeArchived(record) : null;
    }),
  );
  return summaries.filter((summary): summary is RunSummary => summary !== null).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const summarizeArchived = (record: ArchiveRecord): RunSummary => ({
  runId: record.runId as Id,
  status: record.status,
  step: null,
  progress: record.status === 'complete' ? 1 : 0,
  createdAt: record.createdAt,
  updatedAt: record.finishedAt,
  theme: record.storyboard?.theme ?? null,
  archived: true,
});

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
      return json(200, { runs: await listRuns(projectId, limit) });
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
      const video = await videoOf(projectId, runId);
      const blob = await getBinaryStream(keys.video(runId));
      if (!blob) throw new AppError(404, 'video_not_found', `The video of run ${runId} is missing.`);
      const size = Number(blob.metadata.bytes ?? video.bytes);
      const headers = { 'content-type': 'video/mp4', etag: `"${runId}-${size}"`, 'cache-control': 'private, max-age=3600' };
      return serveBytes(request, streamSource(blob.stream, size), headers, 'video');
    },
  },
];
