import { randomUUID } from 'node:crypto';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { log, withLogContext } from '../log.js';
import { measureRoute } from '../metrics/request-metrics.js';
import type { Id } from '../schemas/common.js';
import { authorize, refuseIfMisconfigured, type ServingContext } from './auth.js';
import { errorResponse } from './errors.js';
import { takeReadToken } from './rate-limit.js';
import { parseParam, type Route } from './route.js';

interface CompiledRoute {
  route: Route;
  segments: string[];
}

function paramError(name: string, value: string): AppError {
  if (name === 'n')
    return new AppError(
      400,
      'invalid_part',
      `Part number "${value.slice(0, 16)}" must be a whole number from 0 to 9999.`,
    );
  return new AppError(
    400,
    'invalid_id',
    `${name} "${value.slice(0, 80)}" is not a valid id: use 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-".`,
  );
}

interface DispatchInput {
  request: Request;
  url: URL;
  requestId: string;
  receivedAt: number;
  serving: ServingContext;
}

type PathMatch = { params: Record<string, Id | number>; projectId: Id | undefined };

/** Matches a path against a route's segments, checking each parameter against its schema. */
function matchPath(segments: string[], parts: string[]): PathMatch | 'mismatch' | AppError {
  if (segments.length !== parts.length) return 'mismatch';
  const params: Record<string, Id | number> = {};
  let projectId: Id | undefined;
  let invalid: AppError | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment.startsWith(':')) {
      const name = segment.slice(1);
      // Matched raw, never URL-decoded: "%2e%2e" is simply not an id.
      const value = parseParam(name, part);
      if (value === undefined) {
        invalid ??= paramError(name, part);
        continue;
      }
      params[name] = value;
      if (name === 'projectId' && typeof value === 'string') projectId = value;
    } else if (segment !== part) {
      return 'mismatch';
    }
  }
  return invalid ?? { params, projectId };
}

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get('origin');
  if (!origin) return {};
  const allowed = getConfig()
    .SIRTRAV_CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (!allowed.includes(origin) && !allowed.includes('*')) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'content-range, content-length, x-request-id, retry-after, etag',
    vary: 'Origin',
  };
}

function preflight(request: Request, allow: string[]): Response {
  const headers = corsHeaders(request);
  if (!headers['access-control-allow-origin'])
    return new Response(null, { status: 204, headers: { allow: allow.join(', ') } });
  return new Response(null, {
    status: 204,
    headers: {
      ...headers,
      'access-control-allow-methods': allow.join(', '),
      'access-control-allow-headers': 'authorization, content-type, idempotency-key, last-event-id, range, x-filename',
      'access-control-max-age': '600',
    },
  });
}

/** Builds the request handler for a route table: matching, 404/405, auth, errors and logs in one place. */
export function createRouter(routes: Route[]): (request: Request, serving?: ServingContext) => Promise<Response> {
  const compiled: CompiledRoute[] = routes.map((route) => ({ route, segments: route.path.split('/').filter(Boolean) }));

  return async (request, serving = {}) => {
    const receivedAt = Date.now();
    const requestId = request.headers.get('x-nf-request-id') ?? randomUUID();
    return withLogContext({ requestId }, async () => {
      const started = performance.now();
      const url = new URL(request.url);
      let response: Response;
      try {
        response = await dispatch({ request, url, requestId, receivedAt, serving });
      } catch (error) {
        response = errorResponse(error, requestId);
      }
      for (const [name, value] of Object.entries(corsHeaders(request))) response.headers.set(name, value);
      response.headers.set('x-request-id', requestId);
      // The path only: a query may hold a link signature.
      log.info('request', {
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
      });
      return response;
    });
  };

  async function dispatch({ request, url, requestId, receivedAt, serving }: DispatchInput): Promise<Response> {
    // Where auth is misconfigured every answer is the same refusal, unknown routes and health included.
    refuseIfMisconfigured(serving);
    const parts = url.pathname.split('/').filter(Boolean);
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const allowed: string[] = [];
    let paramFailure: AppError | undefined;
    for (const { route, segments } of compiled) {
      const matched = matchPath(segments, parts);
      if (matched === 'mismatch') continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      if (matched instanceof AppError) {
        paramFailure ??= matched;
        continue;
      }
      return measureRoute(`${route.method} ${route.path}`, async () => {
        const principal = authorize({
          request,
          serving,
          url,
          requirement: route.auth,
          projectId: matched.projectId,
          acceptsSignedLink: route.signedLink ?? false,
        });
        if (route.method === 'GET') takeReadToken({ request, principal, limit: route.readLimit ?? 'reads' });
        const response = await route.serve({
          request,
          url,
          params: matched.params,
          requestId,
          receivedAt,
          principal,
          serving,
        });
        if (request.method !== 'HEAD') return response;
        // The body is not sent: cancel it, so a stream behind it (a blob download) is released now.
        await response.body?.cancel().catch(() => undefined);
        return new Response(null, { status: response.status, headers: response.headers });
      });
    }
    if (paramFailure) throw paramFailure;
    if (allowed.length > 0) {
      if (request.method === 'OPTIONS') return preflight(request, [...new Set([...allowed, 'OPTIONS'])]);
      const allow = [...new Set(allowed)].join(', ');
      throw new AppError(405, 'method_not_allowed', `${request.method} is not allowed here; use ${allow}.`, {
        headers: { Allow: allow },
      });
    }
    throw new AppError(404, 'not_found', `No route for ${request.method} ${url.pathname.slice(0, 200)}.`);
  }
}
