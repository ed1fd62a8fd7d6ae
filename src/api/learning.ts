import { errorDoc, errorDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { rateRun } from '../learning/evaluations.js';
import { settleMemoryIndex } from '../learning/memory.js';
import { requireProject } from '../projects/index.js';
import { evaluateBodySchema, evaluationSchema, memoryIndexSchema } from '../schemas/memory.js';

const projectRoute = routeGroup({ auth: 'project', tag: 'learning' });

export const learningRoutes: Route[] = [
  projectRoute.post('/api/projects/:projectId/runs/:runId/evaluation', {
    operationId: 'rateRun',
    summary: 'Rate a complete run; re-rating replaces',
    body: evaluateBodySchema,
    responses: {
      201: { description: 'First rating', schema: evaluationSchema },
      200: { description: 'Replaced (or the same again)', schema: evaluationSchema },
      ...errorDocs({ 404: 'Unknown run', 409: 'Run not complete' }),
    },
    handler: async ({ params, body }) => {
      const { evaluation, created } = await rateRun(params.projectId, params.runId, body);
      return json(created ? 201 : 200, evaluation);
    },
  }),
  projectRoute.get('/api/projects/:projectId/memory', {
    operationId: 'getMemory',
    summary: "The project's memory_index.json",
    responses: { 200: { description: 'Memory index', schema: memoryIndexSchema }, 404: errorDoc('Unknown project') },
    handler: async ({ params }) => {
      await requireProject(params.projectId);
      return json(200, await settleMemoryIndex(params.projectId));
    },
  }),
];
