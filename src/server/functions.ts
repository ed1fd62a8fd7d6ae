import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Handler = (request: Request, context: Record<string, unknown>) => Promise<Response | void> | Response | void;

export interface LoadedFunction {
  name: string;
  handler: Handler;
  paths: string[];
  schedule: string | undefined;
  background: boolean;
  /** HTTP methods from `config.method`; empty means all. */
  methods: string[];
}

/** Imports every function in a directory with its `config`, as Netlify would deploy them. */
export async function loadFunctions(directory: string): Promise<LoadedFunction[]> {
  const files = (await readdir(directory)).filter((file) => /\.(ts|mts|js|mjs)$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(join(directory, file)).href)) as {
        default: Handler;
        config?: { path?: string | string[]; schedule?: string; method?: string | string[] };
      };
      const name = basename(file, extname(file));
      const path = module.config?.path;
      const method = module.config?.method;
      return {
        name,
        handler: module.default,
        paths: path === undefined ? [] : Array.isArray(path) ? path : [path],
        schedule: module.config?.schedule,
        background: name.endsWith('-background'),
        methods: method === undefined ? [] : Array.isArray(method) ? method : [method],
      };
    }),
  );
}

/** Netlify's `config.path` patterns: literal segments, `:param`, and a trailing `*`. */
export function matchFunctionPath(pattern: string, pathname: string): boolean {
  const want = pattern.split('/').filter(Boolean);
  const got = pathname.split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment === '*') return true;
    if (i >= got.length) return false;
    if (!segment.startsWith(':') && segment !== got[i]) return false;
  }
  return want.length === got.length;
}

/** Whether a function takes this method; HEAD is served by the function that takes GET. */
export function acceptsMethod(fn: Pick<LoadedFunction, 'methods'>, method: string): boolean {
  if (fn.methods.length === 0) return true;
  return fn.methods.includes(method === 'HEAD' ? 'GET' : method);
}
