import { z } from 'zod';
import { idSchema, type Id } from '../schemas/common.js';
import type { AuthRequirement, Principal, ServingContext } from './auth.js';
import { readJson } from './body.js';
import { authDocs, invalidBodyDocs } from './errors.js';
import { rateLimitedDocs, type ReadLimit } from './rate-limit.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A chunked upload's part number: `:n` in a path. Every other path parameter is an id. */
export const partNumberSchema = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number);

/** The names of a path template's parameters: `/a/:projectId/b/:n` → `'projectId' | 'n'`. */
export type ParamNames<Path extends string> = Path extends `${string}:${infer Rest}`
  ? Rest extends `${infer Name}/${infer Tail}`
    ? Name | ParamNames<Tail>
    : Rest
  : never;

/** Path parameters as the handler sees them: already validated, ids branded, `n` a number. */
export type PathParams<Path extends string> = { [Name in ParamNames<Path>]: Name extends 'n' ? number : Id };

/** The schema a path parameter must match. */
export const paramSchema = (name: string): z.ZodType => (name === 'n' ? partNumberSchema : idSchema);

/** A path parameter's value, checked against its schema; undefined when it does not match. */
export function parseParam(name: string, raw: string): Id | number | undefined {
  const parsed = name === 'n' ? partNumberSchema.safeParse(raw) : idSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export interface ResponseDoc {
  description: string;
  /** The JSON body's schema. */
  schema?: z.ZodType;
  /** For bodies that are not JSON (video, photo, SSE). */
  contentType?: string;
  /** Response headers worth documenting, by name: what each says. */
  headers?: Record<string, string>;
}

/** What a route says about itself for the OpenAPI document, besides its tag (which its group gives). */
export interface OperationDocs {
  /**
   * The operation's name in the OpenAPI document, and so the method name SDK generators give it:
   * a camelCase verb phrase (`createRun`, `listMedia`), unique across the API. Renaming one breaks clients.
   */
  operationId: string;
  summary: string;
  /**
   * Request bodies the handler reads itself (photos, parts, archives). `json` is the body's schema when
   * one of the content types is application/json.
   */
  rawBody?: { contentTypes: string[]; description: string; json?: z.ZodType };
  headers?: Array<{ name: string; description: string }>;
  responses: Record<number, ResponseDoc>;
}

/** What a route says about itself for the OpenAPI document. */
export interface RouteDocs extends OperationDocs {
  tag: string;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<Path extends string, Body, Query> {
  request: Request;
  url: URL;
  params: PathParams<Path>;
  /** The JSON body parsed by the route's `body` schema (an empty body counts as `{}`). */
  body: Body;
  /** The query string parsed by the route's `query` schema. */
  query: Query;
  requestId: string;
  /** When the function received the request (ms since the epoch): limits on a response's life count from here. */
  receivedAt: number;
  principal: Principal;
  serving: ServingContext;
}

/** What one route declares itself: its group gives the rest (see routeGroup). */
export interface RouteDeclaration<
  Path extends string,
  BodySchema extends z.ZodType | undefined,
  QuerySchema extends z.ZodObject | undefined,
> extends OperationDocs {
  /** Browser links (`EventSource`, `<video>`) cannot send headers: a signed link stands in. */
  signedLink?: boolean;
  /** A GET serving large bodies counts against the tighter `bytes` read limit (src/http/rate-limit.ts). */
  readLimit?: ReadLimit;
  body?: BodySchema;
  query?: QuerySchema;
  handler: (input: RouteInput<Path, Parsed<BodySchema>, Parsed<QuerySchema>>) => Promise<Response> | Response;
}

/** What the routes of one group share: who may call them and where the OpenAPI document lists them. */
export interface RouteGroupSpec {
  auth: AuthRequirement;
  tag: string;
}

export interface RouteSpec<
  Path extends string,
  BodySchema extends z.ZodType | undefined,
  QuerySchema extends z.ZodObject | undefined,
>
  extends RouteDeclaration<Path, BodySchema, QuerySchema>, RouteGroupSpec {
  method: Method;
  /** e.g. `/api/projects/:projectId/media/:mediaId` */
  path: Path;
}

/** What the router receives once it has matched a path, checked its parameters and authorized the caller. */
export interface MatchedRequest {
  request: Request;
  url: URL;
  params: Record<string, Id | number>;
  requestId: string;
  receivedAt: number;
  principal: Principal;
  serving: ServingContext;
}

/** A route as the router and the OpenAPI builder see it: the contract, and one way in. */
export interface Route extends RouteDocs {
  method: Method;
  path: string;
  auth: AuthRequirement;
  signedLink?: boolean;
  readLimit?: ReadLimit;
  body?: z.ZodType;
  query?: z.ZodObject;
  serve: (matched: MatchedRequest) => Promise<Response>;
}

/**
 * Declares a route's whole contract in one place: path parameters (typed from
 * the path), the JSON body and query schemas, and the documented responses.
 * The body and query are parsed before the handler runs; a bad one is a 400
 * (documented on every route with a body: `invalidBodyDocs`, unless the route says its own 400),
 * the router's auth refusals (401, 403) are documented on every route that needs a token, and every GET
 * documents the read limit's 429.
 */
export function defineRoute<
  Path extends string,
  BodySchema extends z.ZodType | undefined = undefined,
  QuerySchema extends z.ZodObject | undefined = undefined,
>(spec: RouteSpec<Path, BodySchema, QuerySchema>): Route {
  const { handler, ...contract } = spec;
  return {
    ...contract,
    responses: { ...authDocs(spec), ...sharedResponses(spec), ...spec.responses },
    serve: async ({ request, url, params, requestId, receivedAt, principal, serving }) => {
      const query = (
        spec.query ? spec.query.parse(Object.fromEntries(url.searchParams)) : undefined
      ) as Parsed<QuerySchema>;
      const body = (spec.body ? await readJson(request, spec.body) : undefined) as Parsed<BodySchema>;
      // The router checked each parameter against paramSchema(name), which is what PathParams describes.
      return handler({
        request,
        url,
        params: params as PathParams<Path>,
        body,
        query,
        requestId,
        receivedAt,
        principal,
        serving,
      });
    },
  };
}

/** What the router itself may answer on a route: a read limit's 429 on a GET, a bad body's 400. */
function sharedResponses(spec: { method: Method; body?: unknown }): Record<number, ResponseDoc> {
  const shared: Record<number, ResponseDoc> = spec.method === 'GET' ? { ...rateLimitedDocs } : {};
  return spec.body ? { ...shared, ...invalidBodyDocs } : shared;
}

/** Declares one route of a group at a method and path; its parameters are typed from the path. */
export type DeclareRoute = <
  Path extends string,
  BodySchema extends z.ZodType | undefined = undefined,
  QuerySchema extends z.ZodObject | undefined = undefined,
>(
  path: Path,
  declaration: RouteDeclaration<Path, BodySchema, QuerySchema>,
) => Route;

export interface RouteGroup {
  get: DeclareRoute;
  post: DeclareRoute;
  put: DeclareRoute;
  delete: DeclareRoute;
}

/**
 * Routes that share their auth and tag, declared by method:
 * `const adminRoute = routeGroup({ auth: 'admin', tag: 'operations' })`, then
 * `adminRoute.get('/api/admin/stats', { operationId: 'getStats', summary, responses, handler })`.
 */
export function routeGroup(shared: RouteGroupSpec): RouteGroup {
  const at =
    (method: Method): DeclareRoute =>
    (path, declaration) =>
      defineRoute({ method, path, ...shared, ...declaration });
  return { get: at('GET'), post: at('POST'), put: at('PUT'), delete: at('DELETE') };
}
