import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { isId, type Id } from '../storage/ids.js';
import { sameSignature, siteSignature } from './signing.js';

export type Principal =
  { kind: 'admin' } | { kind: 'project'; projectId: Id } | { kind: 'link' } | { kind: 'open' } | { kind: 'anonymous' };

export type AuthRequirement = 'none' | 'admin' | 'project';

export type AuthMode = 'enabled' | 'disabled' | 'misconfigured';

/**
 * Where a request is served: the deploy context Netlify names in the request (`context.deploy.context`:
 * `production`, `deploy-preview`, `branch-deploy`, or `dev` under `netlify dev`), absent off Netlify.
 */
export interface ServingContext {
  deployContext?: string | undefined;
}

/**
 * Without a secret, auth is off only in a process that declared itself local (SIRTRAV_LOCAL=1) and is not serving
 * a Netlify deploy; anywhere else the API refuses to serve (fail closed). A missing variable never opens it.
 */
export function authMode(serving: ServingContext = {}): AuthMode {
  const config = getConfig();
  if (config.SIRTRAV_API_SECRET) return 'enabled';
  const deployed = serving.deployContext !== undefined && serving.deployContext !== 'dev';
  return config.SIRTRAV_LOCAL && !deployed ? 'disabled' : 'misconfigured';
}

/** The refusal every /api answer becomes where auth is misconfigured. */
export function refuseIfMisconfigured(serving: ServingContext): void {
  if (authMode(serving) === 'misconfigured') {
    throw new AppError(503, 'auth_not_configured', 'Authentication is not configured: set SIRTRAV_API_SECRET.');
  }
}

const TOKEN_PREFIX = 'stp';

/** A project token is bound to its project by an HMAC; nothing needs storing to check it. */
export function issueProjectToken(projectId: Id): string {
  return `${TOKEN_PREFIX}.${projectId}.${siteSignature(`project:${projectId}`) || 'unsigned'}`;
}

function principalFromToken(token: string): Principal {
  const admin = getConfig().SIRTRAV_ADMIN_TOKEN;
  if (admin && sameSignature(token, admin)) return { kind: 'admin' };
  const [prefix, projectId, signature, ...rest] = token.split('.');
  if (prefix === TOKEN_PREFIX && isId(projectId) && signature && rest.length === 0) {
    if (sameSignature(signature, siteSignature(`project:${projectId}`))) return { kind: 'project', projectId };
  }
  throw new AppError(401, 'unauthorized', 'The bearer token is not valid.');
}

/** Signs a link to `path` (no query) for GET, valid for the configured time. */
export function signLink(path: string, now = Date.now()): string {
  const config = getConfig();
  if (!config.SIRTRAV_API_SECRET) return path;
  const exp = Math.floor(now / 1000) + config.SIRTRAV_LINK_TTL_SEC;
  return `${path}?exp=${exp}&sig=${siteSignature(`GET ${path} ${exp}`)}`;
}

function verifyLink(url: URL): Principal {
  const exp = url.searchParams.get('exp') ?? '';
  const sig = url.searchParams.get('sig') ?? '';
  const forbidden = (message: string) => new AppError(403, 'invalid_link', message);
  if (!/^\d{1,12}$/.test(exp)) throw forbidden('The signed link is malformed.');
  if (!sameSignature(sig, siteSignature(`GET ${url.pathname} ${exp}`)))
    throw forbidden('The signed link is not valid for this address.');
  if (Number(exp) * 1000 < Date.now()) throw forbidden('The signed link has expired; ask for a new one.');
  return { kind: 'link' };
}

export interface AuthInput {
  request: Request;
  serving: ServingContext;
  url: URL;
  requirement: AuthRequirement;
  projectId: Id | undefined;
  /** Whether a signed link may stand in for the bearer token on this route. */
  acceptsSignedLink: boolean;
}

/** Decides who is calling and whether they may; throws 401/403/503 otherwise. */
export function authorize({ request, serving, url, requirement, projectId, acceptsSignedLink }: AuthInput): Principal {
  refuseIfMisconfigured(serving);
  if (authMode(serving) === 'disabled') return { kind: 'open' };
  if (requirement === 'none') return { kind: 'anonymous' };
  const header = request.headers.get('authorization');
  if (!header) {
    if (acceptsSignedLink && url.searchParams.has('sig')) return verifyLink(url);
    throw new AppError(401, 'unauthorized', 'Send Authorization: Bearer <token>.', {
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError(401, 'unauthorized', 'Authorization must be "Bearer <token>".');
  const principal = principalFromToken(match[1]!);
  if (principal.kind === 'admin') return principal;
  if (requirement === 'admin') throw new AppError(403, 'forbidden', 'This route needs the admin token.');
  if (principal.kind === 'project' && principal.projectId !== projectId) {
    throw new AppError(403, 'forbidden', 'This token belongs to another project.');
  }
  return principal;
}

/**
 * Whether the caller may act as the admin on a route anyone may call (health does more for the admin): it sent
 * the admin token, or auth is off in a local process.
 */
export function actsAsAdmin(request: Request, url: URL, serving: ServingContext): boolean {
  try {
    const { kind } = authorize({
      request,
      serving,
      url,
      requirement: 'admin',
      projectId: undefined,
      acceptsSignedLink: false,
    });
    return kind === 'admin' || kind === 'open';
  } catch {
    return false;
  }
}
