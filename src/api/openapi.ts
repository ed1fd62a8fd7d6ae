import { z } from 'zod';
import { VERSION } from '../config.js';
import { json } from '../http/respond.js';
import { paramSchema, routeGroup, type Route } from '../http/route.js';
import { openApiDocumentSchema } from '../schemas/openapi.js';
import { COMPONENT_SCHEMAS } from './components.js';
import { buildSchemaComponents, type BodyUse, type SchemaComponents } from './openapi-schemas.js';

const publicRoute = routeGroup({ auth: 'none', tag: 'service' });

/** What each tag groups; SDK generators make a client class per tag. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  service: 'Health and this document',
  projects: 'Projects and their tokens',
  media: 'Photos: direct and chunked uploads',
  runs: 'Runs: start one, follow its progress, cancel it, fetch its video and captions',
  sharing: 'Public pages of a video: share one, revoke it; the page, video, poster and captions need no token',
  learning: 'Ratings and the memory they build',
  portability: 'Export and import of whole projects',
  admin: 'Retention and repair',
  operations: 'Stats and the failure search',
};

/** A parameter's schema, inline: parameters are small, and SDKs type them as plain values. */
const toSchema = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** Query parameters that carry a signed link, on the routes that accept one. */
const SIGNED_LINK_QUERY = [
  { name: 'exp', in: 'query', required: false, description: 'Signed link expiry', schema: { type: 'integer' } },
  { name: 'sig', in: 'query', required: false, description: 'Signed link signature', schema: { type: 'string' } },
];

function parametersOf(route: Route): Array<Record<string, unknown>> {
  const path = [...route.path.matchAll(/:(\w+)/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    description: name === 'n' ? 'Part number, from 0' : `The ${name.replace(/Id$/, '')}'s id`,
    schema: toSchema(paramSchema(name)),
  }));
  const query = Object.entries(route.query?.shape ?? {}).map(([name, schema]) => {
    const { description, ...rest } = toSchema(schema);
    return { name, in: 'query', required: false, description, schema: rest };
  });
  const headers = (route.headers ?? []).map((h) => ({
    name: h.name,
    in: 'header',
    required: false,
    description: h.description,
    schema: { type: 'string' },
  }));
  return [...path, ...query, ...(route.signedLink ? SIGNED_LINK_QUERY : []), ...headers];
}

/** The bodies a route reads and answers, for the components. */
function bodyUsesOf(route: Route): BodyUse[] {
  const request = route.body ?? route.rawBody?.json;
  const responses = Object.values(route.responses).flatMap(({ schema }) => (schema ? [schema] : []));
  return [
    ...(request
      ? [{ schema: request, io: 'input' as const, fallbackName: `${pascal(route.operationId)}Request` }]
      : []),
    ...responses.map((schema) => ({
      schema,
      io: 'output' as const,
      fallbackName: `${pascal(route.operationId)}Response`,
    })),
  ];
}

const BINARY = { schema: { type: 'string', format: 'binary' } };

function requestBodyOf(route: Route, components: SchemaComponents): Record<string, unknown> {
  // An empty JSON body counts as {}: the body is optional.
  if (route.body)
    return {
      requestBody: {
        required: false,
        content: { 'application/json': { schema: components.refOf(route.body, 'input') } },
      },
    };
  const raw = route.rawBody;
  if (!raw) return {};
  const content = Object.fromEntries(
    raw.contentTypes.map((type) => [
      type,
      type === 'application/json' && raw.json ? { schema: components.refOf(raw.json, 'input') } : BINARY,
    ]),
  );
  return { requestBody: { required: true, description: raw.description, content } };
}

function responsesOf(route: Route, components: SchemaComponents): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => {
      const content = response.schema
        ? { 'application/json': { schema: components.refOf(response.schema, 'output') } }
        : response.contentType
          ? { [response.contentType]: BINARY }
          : undefined;
      const headers = response.headers
        ? Object.fromEntries(
            Object.entries(response.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          )
        : undefined;
      return [
        status,
        { description: response.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) },
      ];
    }),
  );
}

const AUTH_NOTES = {
  none: 'No token needed.',
  admin: 'Needs the admin token.',
  project: "Needs the project's token (or the admin token).",
};

/** The summary, and who may call it: generated SDKs show the description as the method's doc comment. */
function descriptionOf(route: Route): string {
  const signed = route.signedLink
    ? ' A signed link (exp and sig from the run’s links) stands in for the token, for browsers.'
    : '';
  const summary = /[.!?]$/.test(route.summary) ? route.summary : `${route.summary}.`;
  return `${summary}\n\n${AUTH_NOTES[route.auth]}${signed}`;
}

/** Every route must be documented, and name itself once: a bad table fails here rather than in a generated SDK. */
function checkDocumented(routes: Route[]): void {
  const ids = new Set<string>();
  for (const route of routes) {
    const where = `Route ${route.method} ${route.path}`;
    if (!route.summary || !Object.keys(route.responses).some((status) => /^[23]/.test(status)))
      throw new Error(`${where} has no documentation: give it a summary and its responses`);
    if (!/^[a-z][A-Za-z0-9]*$/.test(route.operationId))
      throw new Error(`${where}: operationId "${route.operationId}" is not a camelCase name`);
    if (ids.has(route.operationId))
      throw new Error(`${where}: operationId "${route.operationId}" is taken by another route`);
    ids.add(route.operationId);
  }
}

/** OpenAPI 3.1 read off the route table, with JSON Schemas generated from each route's zod schemas, named as components. */
export function buildOpenApi(routes: Route[]): Record<string, unknown> {
  checkDocumented(routes);
  const components = buildSchemaComponents(COMPONENT_SCHEMAS, routes.flatMap(bodyUsesOf));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = parametersOf(route);
    const security =
      route.auth === 'none' ? [] : route.signedLink ? [{ bearer: [] }, { signedLink: [] }] : [{ bearer: [] }];
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      description: descriptionOf(route),
      security,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...requestBodyOf(route, components),
      responses: responsesOf(route, components),
    };
  }
  const tags = [...new Set(routes.map((route) => route.tag))].map((name) => ({
    name,
    ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
  }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'SirTrav API',
      version: VERSION,
      description:
        'Photos in, a narrated and scored MP4 out. Every error is { error: { code, message, details?, requestId, retryable } }.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    // Relative: every deployment (and `npm start`) serves the document about itself.
    servers: [{ url: '/', description: 'The deployment that serves this document' }],
    tags,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A project token (stp.…) or the admin token' },
        signedLink: {
          type: 'apiKey',
          in: 'query',
          name: 'sig',
          description: 'Signed, expiring link from a run’s links (with exp)',
        },
      },
      schemas: components.schemas,
    },
    paths,
  };
}

export function openApiRoutes(allRoutes: () => Route[]): Route[] {
  let cached: string | undefined;
  return [
    publicRoute.get('/api/openapi.json', {
      operationId: 'getOpenApi',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1', schema: openApiDocumentSchema } },
      handler: () => json(200, JSON.parse((cached ??= JSON.stringify(buildOpenApi(allRoutes()))))),
    }),
  ];
}
