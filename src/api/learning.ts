import { readJson } from '../http/body.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { rateRun } from '../learning/evaluations.js';
import { readMemoryIndex } from '../learning/memory.js';
import { requireProject } from '../projects/index.js';
import { evaluateBodySchema } from '../schemas/memory.js';
import type { Id } from '../storage/index.js';

export const learningRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/projects/:projectId/runs/:runId/evaluation',
    auth: 'project',
    handler: async ({ request, params }) => {
      const body = await readJson(request, evaluateBodySchema);
      const { evaluation, created } = await rateRun(params.projectId as Id, params.runId as Id, body);
      return json(created ? 201 : 200, evaluation);
    },
  },
  {
    method: 'GET',
    path: '/api/projects/:projectId/memory',
    auth: 'project',
    handler: async ({ params }) => {
      await requireProject(params.projectId as Id);
      return json(200, await readMemoryIndex(params.projectId as Id));
    },
  },
];
