import { z } from 'zod';
import { errorDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { readProgress } from '../progress/event-log.js';
import { parseLastEventId, progressStream } from '../progress/stream.js';
import { requireRun } from '../runs/index.js';
import { progressListSchema } from '../schemas/progress.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'runs' });

const wantsEventStream = (request: Request) => (request.headers.get('accept') ?? '').includes('text/event-stream');

/** Documents `?lastEventId=`; parseLastEventId reads it (or the header, which wins) with its own error code. */
const progressQuerySchema = z.object({
  lastEventId: z
    .string()
    .optional()
    .describe('Resume after this seq, a whole number (or send the Last-Event-ID header)'),
});

export const progressRoutes: Route[] = [
  projectRoute.get('/api/projects/:projectId/runs/:runId/progress', {
    operationId: 'getRunProgress',
    signedLink: true,
    summary: 'Progress: SSE with Accept: text/event-stream, else JSON',
    query: progressQuerySchema,
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this seq' }],
    responses: {
      200: {
        description: 'Events (JSON), or an event stream: progress, snapshot and done events',
        schema: progressListSchema,
      },
      204: { description: 'The client already has the end of the run' },
      ...errorDocs({ 400: 'Bad id or Last-Event-ID', 404: 'Unknown run' }),
    },
    handler: async ({ request, url, receivedAt, params: { projectId, runId } }) => {
      const lastEventId = parseLastEventId(request, url);
      if (wantsEventStream(request))
        return progressStream({
          projectId,
          runId,
          lastEventId,
          receivedAt,
          requestSignal: request.signal,
          requireRun: () => requireRun(projectId, runId),
        });
      await requireRun(projectId, runId);
      const { events, dropped, lastSeq, terminal } = await readProgress(projectId, runId, { afterSeq: lastEventId });
      return json(200, { events, dropped, lastSeq, terminal });
    },
  }),
];
