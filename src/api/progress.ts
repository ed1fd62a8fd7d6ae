import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { readProgress } from '../progress/log.js';
import { parseLastEventId, progressStream } from '../progress/stream.js';
import { requireRun } from '../runs/state.js';
import type { Id } from '../storage/index.js';

const wantsEventStream = (request: Request) => (request.headers.get('accept') ?? '').includes('text/event-stream');

export const progressRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/projects/:projectId/runs/:runId/progress',
    auth: 'project',
    signedLink: true,
    handler: async ({ request, url, params }) => {
      const projectId = params.projectId as Id;
      const runId = params.runId as Id;
      const lastEventId = parseLastEventId(request, url);
      if (wantsEventStream(request)) return progressStream(projectId, runId, lastEventId, request.signal);
      await requireRun(projectId, runId);
      const { events, dropped, lastSeq, terminal } = await readProgress(projectId, runId, { afterSeq: lastEventId });
      return json(200, { events, dropped, lastSeq, terminal });
    },
  },
];
