import { z } from 'zod';
import { AppError, isAppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { errorBodySchema, type ErrorBody } from '../schemas/error.js';
import type { AuthRequirement } from './auth.js';

/** A documented error response: the one error body, with what the status means on this route. */
export const errorDoc = (description: string) => ({ description, schema: errorBodySchema });

/** Several documented error responses, by status: `errorDocs({ 404: 'Unknown run', 409: 'Run not complete' })`. */
export const errorDocs = (descriptions: Record<number, string>): Record<number, ReturnType<typeof errorDoc>> =>
  Object.fromEntries(Object.entries(descriptions).map(([status, description]) => [status, errorDoc(description)]));

/**
 * The router's answer to a JSON body that does not match the route's schema: every route with a `body`
 * schema documents it (defineRoute adds it); a route whose handler reads JSON itself spreads it in.
 */
export const invalidBodyDocs = { 400: errorDoc('Invalid body') };

/** What an admin route answers a caller without the admin token. */
const adminAuthDocs = errorDocs({ 401: 'No or invalid token', 403: 'Not the admin token' });

/** What the router answers a caller a route refuses (see authorize); nothing for a public route. */
export function authDocs({
  auth,
  signedLink,
}: {
  auth: AuthRequirement;
  signedLink?: boolean;
}): Record<number, ReturnType<typeof errorDoc>> {
  if (auth === 'none') return {};
  if (auth === 'admin') return adminAuthDocs;
  return errorDocs({
    401: 'No or invalid token',
    403: signedLink ? 'A token of another project, or an invalid or expired signed link' : 'A token of another project',
  });
}

export const httpError = (status: number, code: string, message: string, details?: unknown) =>
  new AppError(status, code, message, details === undefined ? {} : { details });

/**
 * What a schema marks as well-formed but refused (a `refine` with these `params`, e.g. an unsupported language): answered
 * with its own status and code rather than 400 `validation_failed`, when every issue of the body is such a refusal.
 */
const refusalSchema = z.object({
  status: z.literal(422),
  code: z.string(),
  details: z.record(z.string(), z.unknown()),
});

function refusalOf(error: z.ZodError): AppError | null {
  const refusals = error.issues.map((issue) =>
    issue.code === 'custom' ? refusalSchema.safeParse(issue.params).data : undefined,
  );
  const first = refusals[0];
  if (!first || refusals.some((refusal) => !refusal)) return null;
  const issue = error.issues[0]!;
  return new AppError(
    first.status,
    first.code,
    `Invalid request: ${issue.path.map(String).join('.')}: ${issue.message}`,
    {
      details: first.details,
    },
  );
}

function fromZod(error: z.ZodError): AppError {
  const refused = refusalOf(error);
  if (refused) return refused;
  const issues = error.issues
    .slice(0, 10)
    .map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0];
  const message = first
    ? `Invalid request: ${first.path ? `${first.path}: ` : ''}${first.message}`
    : 'Invalid request.';
  return new AppError(400, 'validation_failed', message, { details: { issues } });
}

/** The one place an error becomes an HTTP response. Internal failures say nothing of their insides. */
export function errorResponse(error: unknown, requestId: string): Response {
  const appError = isAppError(error)
    ? error
    : error instanceof z.ZodError
      ? fromZod(error)
      : new AppError(500, 'internal_error', 'Something went wrong on our side; it has been logged.');
  // Unexpected errors are logged with their stack; expected ones (an AppError) by code.
  if (!isAppError(error) && !(error instanceof z.ZodError))
    log.error('request failed', { status: appError.status, code: appError.code, ...errorFields(error) });
  else if (appError.status >= 500)
    log.warn('request failed', { status: appError.status, code: appError.code, message: appError.message });
  const body: ErrorBody = {
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details === undefined ? {} : { details: appError.details }),
      requestId,
      retryable: appError.retryable,
    },
  };
  return new Response(JSON.stringify(body), {
    status: appError.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId, ...appError.headers },
  });
}
