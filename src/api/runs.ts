import { z } from 'zod';
import { AppError } from '../errors.js';
import { signLink } from '../http/auth.js';
import { memorySource, RANGE_HEADER_DOC, rangeResponseDocs, serveBytes } from '../http/byte-response.js';
import { errorDoc, errorDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { requireProject } from '../projects/index.js';
import {
  AUDIO_TRACKS,
  archivedRun,
  listAllRunIds,
  readArchive,
  readRunAudio,
  readRunState,
  runNotFound,
  summarize,
  videoOf,
} from '../runs/index.js';
import { archivedRunResponseSchema, type ArchiveRecord } from '../schemas/archive.js';
import { cancelRun, parseIdempotencyKey, startRun } from '../runs/start.js';
import {
  cancelRunResponseSchema,
  runListResponseSchema,
  runStateResponseSchema,
  startRunBodySchema,
  startRunResponseSchema,
  type RunSummary,
} from '../schemas/run.js';
import { openVideo, parseId, type Id } from '../storage/index.js';
import { checkWebhookUrl, webhookGuardOn } from '../webhooks/url-policy.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'runs' });

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
    captions: new URL(signLink(`${self}/captions.vtt`), origin).href,
    voice: new URL(signLink(`${self}/audio/voice`), origin).href,
    music: new URL(signLink(`${self}/audio/music`), origin).href,
  };
}

/** GET …/audio/voice and …/audio/music: a run's stored tracks, so a browser can play a plan before any video exists. */
const audioRoutes = AUDIO_TRACKS.map((track) =>
  projectRoute.get(`/api/projects/:projectId/runs/:runId/audio/${track}`, {
    operationId: track === 'voice' ? 'getRunVoice' : 'getRunMusic',
    readLimit: 'bytes',
    signedLink: true,
    summary: `The run's ${track === 'voice' ? 'narration' : 'soundtrack'} (WAV); supports Range like the video`,
    headers: [RANGE_HEADER_DOC],
    responses: {
      ...rangeResponseDocs(`${track} track`, 'audio/wav'),
      ...errorDocs({
        404: `Unknown run, or a run without a ${track} track (\`audio_not_found\`)`,
        409: `The run has not made it yet (\`audio_not_ready\`)`,
      }),
    },
    handler: async ({ request, params: { projectId, runId } }) => {
      const { bytes, contentType } = await readRunAudio(projectId, runId, track);
      const headers = {
        'content-type': contentType,
        etag: `"${runId}-${track}-${bytes.byteLength}"`,
        'cache-control': 'private, max-age=3600',
      };
      return serveBytes(request, memorySource(bytes), headers, `${track} track`);
    },
  }),
);

/** Live runs and archived ones (their documents expired, their videos kept), newest first. */
async function listRuns(projectId: Id, limit: number): Promise<RunSummary[]> {
  const newest = (await listAllRunIds(projectId)).reverse().slice(0, limit);
  const summaries = await Promise.all(
    newest.map(async (runId) => {
      const state = await readRunState(projectId, runId);
      if (state) return summarize(state);
      const record = await readArchive(projectId, runId);
      return record ? summarizeArchived(record) : null;
    }),
  );
  return summaries
    .filter((summary): summary is RunSummary => summary !== null)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

const summarizeArchived = (record: ArchiveRecord): RunSummary => ({
  runId: parseId(record.runId),
  status: record.status,
  step: null,
  progress: record.progress ?? (record.status === 'complete' ? 1 : 0),
  createdAt: record.createdAt,
  updatedAt: record.finishedAt,
  theme: record.storyboard?.theme ?? null,
  archived: true,
});

export const runRoutes: Route[] = [
  projectRoute.post('/api/projects/:projectId/runs', {
    operationId: 'createRun',
    summary: 'Start a run',
    body: startRunBodySchema,
    headers: [{ name: 'Idempotency-Key', description: 'Same key and body → the same run' }],
    responses: {
      202: { description: 'Queued; links to follow it', schema: startRunResponseSchema },
      ...errorDocs({
        422: 'No photos, unknown photo, a reused idempotency key, a `language` the voice cannot speak (`unsupported_language`; `details.supported` lists those it can), or a `webhookUrl` refused (`invalid_webhook_url`): not https, with credentials, or resolving to a loopback, private, link-local or otherwise non-public address',
        429: 'Too many runs queued or running',
      }),
    },
    handler: async ({ request, url, params: { projectId }, body }) => {
      await requireProject(projectId);
      // Refused before anything is stored or any connection is made.
      if (body.webhookUrl) await checkWebhookUrl(body.webhookUrl, { guard: webhookGuardOn() });
      const idempotencyKey = parseIdempotencyKey(request.headers.get('idempotency-key'));
      const { state } = await startRun(projectId, body, idempotencyKey, url.origin);
      const runLinks = links(url.origin, projectId, state.runId);
      return json(202, { runId: state.runId, status: state.status, links: runLinks }, { location: runLinks.self });
    },
  }),
  projectRoute.get('/api/projects/:projectId/runs', {
    operationId: 'listRuns',
    summary: 'Runs, newest first',
    query: runListQuerySchema,
    responses: { 200: { description: 'Summaries', schema: runListResponseSchema } },
    handler: async ({ params: { projectId }, query: { limit } }) => {
      await requireProject(projectId);
      const runs = await listRuns(projectId, limit);
      return json(200, { runs });
    },
  }),
  projectRoute.get('/api/projects/:projectId/runs/:runId', {
    operationId: 'getRun',
    summary: 'Run state',
    responses: {
      200: {
        description:
          "The RunState with renewed links; once retention has removed the run's documents, the run as its archive record tells it (`archived: true`, the record under `archive`)",
        schema: archivedRunResponseSchema.or(runStateResponseSchema),
      },
      404: errorDoc('Unknown run'),
    },
    handler: async ({ url, params: { projectId, runId } }) => {
      // Reading a run changes nothing: stalled runs are the watchdog's job (src/pipeline/watchdog.ts).
      const state = await readRunState(projectId, runId);
      if (state) return json(200, { ...state, links: links(url.origin, projectId, runId) });
      // Retention keeps a record of the run under this project, so the run stays known (and its video served).
      const record = await readArchive(projectId, runId);
      if (!record) throw runNotFound(projectId, runId);
      return json(200, { ...archivedRun(record), links: links(url.origin, projectId, runId) });
    },
  }),
  projectRoute.post('/api/projects/:projectId/runs/:runId/cancel', {
    operationId: 'cancelRun',
    summary: 'Cancel a queued or running run',
    responses: {
      202: { description: 'Cancelled (queued) or cancelling (running)', schema: cancelRunResponseSchema },
      ...errorDocs({ 404: 'Unknown run', 409: 'Already finished' }),
    },
    handler: async ({ params: { projectId, runId } }) => {
      const state = await cancelRun(projectId, runId);
      return json(202, { runId, status: state.status, cancelRequested: true });
    },
  }),
  projectRoute.get('/api/projects/:projectId/runs/:runId/video', {
    operationId: 'getRunVideo',
    readLimit: 'bytes',
    signedLink: true,
    summary: 'The MP4; supports Range (a video over 16 MiB is fetched in ranges)',
    headers: [RANGE_HEADER_DOC],
    responses: {
      ...rangeResponseDocs('video', 'video/mp4'),
      ...errorDocs({
        404: 'Unknown run (a run whose documents retention archived is still known by its archive record)',
        409: 'Not complete yet (`run_not_complete`), or a plan, which has no video (`no_video`)',
      }),
    },
    handler: async ({ request, params: { projectId, runId } }) => {
      const video = await videoOf(projectId, runId);
      // Stored in pieces, any range reads at most two of them (src/storage/chunked.ts); a video stored whole is read from its start.
      const stored = await openVideo({ runId, knownBytes: video.bytes });
      if (!stored) throw new AppError(404, 'video_not_found', `The video of run ${runId} is missing.`);
      const headers = {
        'content-type': 'video/mp4',
        etag: `"${runId}-${stored.size}"`,
        'cache-control': 'private, max-age=3600',
      };
      return serveBytes(request, stored, headers, 'video');
    },
  }),
  ...audioRoutes,
];
