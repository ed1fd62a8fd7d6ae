import { z } from 'zod';
import { VERSION } from '../config.js';
import { errorBodySchema } from '../schemas/error.js';
import { json } from '../http/respond.js';
import { paramSchema, routeGroup, type Route } from '../http/route.js';

const publicRoute = routeGroup({ auth: 'none', tag: 'service' });

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** OpenAPI 3.1 for the route table, with JSON Schemas generated from the zod schemas. */
/** Query parameters that carry a signed link, on the routes that accept one. */
const SIGNED_LINK_QUERY = [
  { name: 'exp', in: 'query', required: false, description: 'Signed link expiry', schema: { type: 'integer' } },
  { name: 'sig', in: 'query', required: false, description: 'Signed link signature', schema: { type: 'string' } },
];

function parametersOf(route: Route): Array<Record<string, unknown>> {
  const path = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name: name!,
    in: 'path',
    required: true,
    schema: toSchema(paramSchema(name!), 'input'),
  }));
  const query = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => {
    const { description, ...rest } = toSchema(schema, 'input');
    return { name, in: 'query', required: false, description, schema: rest };
  });
  const headers = (route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } }));
  return [...path, ...query, ...(route.signedLink ? SIGNED_LINK_QUERY : []), ...headers];
}

function requestBodyOf(route: Route): Record<string, unknown> {
  if (route.body) return { requestBody: { required: false, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } };
  if (!route.rawBody) return {};
  const content = Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));
  return { requestBody: { required: true, description: route.rawBody.description, content } };
}

const operationId = (route: Route) =>
  `${route.method.toLowerCase()}${openApiPath(route.path)
    .replace(/[{}]/g, '')
    .split('/')
    .filter(Boolean)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join('')
    .replace(/[^A-Za-z0-9]/g, '')}`;

/** OpenAPI 3.1 read off the route table, with JSON Schemas generated from each route's zod schemas. */
export function buildOpenApi(routes: Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (!route.summary || Object.keys(route.responses).length === 0)
      throw new Error(`Route ${route.method} ${route.path} has no documentation: give it a summary and its responses`);
    const parameters = parametersOf(route);
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.headers
            ? {
                headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])),
              }
            : {}),
          ...(response.schema
            ? { content: { 'application/json': { schema: toSchema(response.schema, 'output') } } }
            : response.contentType
              ? { content: { [response.contentType]: { schema: { type: 'string', format: 'binary' } } } }
              : {}),
        },
      ]),
    );
    const security = route.auth === 'none' ? [] : route.signedLink ? [{ bearer: [] }, { signedLink: [] }] : [{ bearer: [] }];
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = {
      tags: [route.tag],
      summary: route.summary,
      operationId: operationId(route),
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...requestBodyOf(route),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SirTrav API',
      version: VERSION,
      description: 'Photos in, a narrated and scored MP4 out. Every error is { error: { code, message, details?, requestId, retryable } }.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A project token (stp.…) or the admin token' },
        signedLink: { type: 'apiKey', in: 'query', name: 'sig', description: 'Signed, expiring link from a run’s links (with exp)' },
      },
      schemas: { Error: toSchema(errorBodySchema, 'output') },
    },
    paths,
  };
}

export function openApiRoutes(allRoutes: () => Route[]): Route[] {
  let cached: string | undefined;
  return [
    publicRoute.get('/api/openapi.json', {
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1' } },
      handler: () => json(200, JSON.parse((cached ??= JSON.stringify(buildOpenApi(allRoutes()))))),
    }),
  ];
}
