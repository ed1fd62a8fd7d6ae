import { errorDoc, errorDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { findFailures } from '../failures/find.js';
import { rebuildFailureIndex } from '../failures/rebuild.js';
import { recordResolution } from '../failures/resolution.js';
import { computeStats } from '../operations/stats.js';
import {
  failureSearchQuerySchema,
  failureSearchResponseSchema,
  rebuildResponseSchema,
  resolutionBodySchema,
  resolutionResponseSchema,
  statsSchema,
} from '../schemas/operations.js';

const adminRoute = routeGroup({ auth: 'admin', tag: 'operations' });

export const operationsRoutes: Route[] = [
  adminRoute.get('/api/admin/stats', {
    operationId: 'getStats',
    summary:
      'Store sizes, runs by status, agent and route latency percentiles, failures by class, media cache hit rate (admin)',
    responses: { 200: { description: 'Stats', schema: statsSchema } },
    handler: async () => json(200, await computeStats()),
  }),
  adminRoute.get('/api/admin/failures', {
    operationId: 'searchFailures',
    summary:
      'Similar failure episodes across projects, best first, each with its reflection; preconditions given as parameters rank matching episodes higher (admin)',
    query: failureSearchQuerySchema,
    responses: {
      200: { description: 'Ranked results', schema: failureSearchResponseSchema },
      400: errorDoc('Invalid query'),
    },
    handler: async ({ query }) => json(200, await findFailures(query)),
  }),
  adminRoute.post('/api/admin/failures/:runId/resolution', {
    operationId: 'resolveFailure',
    summary: 'Record what actually fixed a failure; similar later failures show it first (admin)',
    body: resolutionBodySchema,
    responses: {
      200: { description: 'Recorded', schema: resolutionResponseSchema },
      ...errorDocs({ 404: 'No failure episode for this run', 409: 'Episode predates reflections' }),
    },
    handler: async ({ params: { runId }, body }) => json(200, await recordResolution(runId, body.resolution)),
  }),
  adminRoute.post('/api/admin/failures/rebuild', {
    operationId: 'rebuildFailureIndex',
    summary: 'Rebuild the failure search index from the stored episodes (admin)',
    responses: { 200: { description: 'Rebuilt', schema: rebuildResponseSchema } },
    handler: async () => json(200, await rebuildFailureIndex()),
  }),
];
