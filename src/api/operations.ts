import { errorDoc, invalidBodyDocs, adminAuthDocs } from '../http/errors.js';
import { json } from '../http/respond.js';
import { defineRoute, type Route } from '../http/route.js';
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

export const operationsRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/api/admin/stats',
    auth: 'admin',
    tag: 'operations',
    summary: 'Store sizes, runs by status, agent and route latency percentiles, failures by class, media cache hit rate (admin)',
    responses: { 200: { description: 'Stats', schema: statsSchema }, ...adminAuthDocs },
    handler: async () => json(200, await computeStats()),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/admin/failures',
    auth: 'admin',
    tag: 'operations',
    summary:
      'Similar failure episodes across projects, best first, each with its reflection; preconditions given as parameters rank matching episodes higher (admin)',
    query: failureSearchQuerySchema,
    responses: { 200: { description: 'Ranked results', schema: failureSearchResponseSchema }, 400: errorDoc('Invalid query'), ...adminAuthDocs },
    handler: async ({ query }) => json(200, await findFailures(query)),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/admin/failures/:runId/resolution',
    auth: 'admin',
    tag: 'operations',
    summary: 'Record what actually fixed a failure; similar later failures show it first (admin)',
    body: resolutionBodySchema,
    responses: {
      200: { description: 'Recorded', schema: resolutionResponseSchema },
      ...invalidBodyDocs,
      ...adminAuthDocs,
      404: errorDoc('No failure episode for this run'),
      409: errorDoc('Episode predates reflections'),
    },
    handler: async ({ params: { runId }, body }) => json(200, await recordResolution(runId, body.resolution)),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/admin/failures/rebuild',
    auth: 'admin',
    tag: 'operations',
    summary: 'Rebuild the failure search index from the stored episodes (admin)',
    responses: { 200: { description: 'Rebuilt', schema: rebuildResponseSchema }, ...adminAuthDocs },
    handler: async () => json(200, await rebuildFailureIndex()),
  }),
];
