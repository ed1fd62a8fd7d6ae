import { readJson } from '../http/body.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { rebuildFailureIndex } from '../failures/rebuild.js';
import { recordResolution } from '../failures/resolution.js';
import { findFailures } from '../failures/find.js';
import { computeStats } from '../operations/stats.js';
import { failureSearchQuerySchema, resolutionBodySchema } from '../schemas/operations.js';
import type { Id } from '../storage/index.js';

export const operationsRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/admin/stats',
    auth: 'admin',
    handler: async () => json(200, await computeStats()),
  },
  {
    method: 'GET',
    path: '/api/admin/failures',
    auth: 'admin',
    handler: async ({ url }) => json(200, await findFailures(failureSearchQuerySchema.parse(Object.fromEntries(url.searchParams)))),
  },
  {
    method: 'POST',
    path: '/api/admin/failures/:runId/resolution',
    auth: 'admin',
    handler: async ({ request, params }) => {
      const body = await readJson(request, resolutionBodySchema);
      return json(200, await recordResolution(params.runId as Id, body.resolution));
    },
  },
  {
    method: 'POST',
    path: '/api/admin/failures/rebuild',
    auth: 'admin',
    handler: async () => json(200, await rebuildFailureIndex()),
  },
];
