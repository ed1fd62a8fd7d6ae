import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import extractZip from 'extract-zip';
import { z } from 'zod';

const run = promisify(execFile);
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** What `netlify build` writes to `.netlify/functions/manifest.json` (the fields the host needs). */
const manifestSchema = z.object({
  functions: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      invocationMode: z.enum(['stream', 'background']).optional(),
      schedule: z.string().optional(),
      /** The Lambda runtime Netlify runs the function on (`nodejs22.x`), from the Node that ran the build. */
      runtimeVersion: z.string().optional(),
      routes: z
        .array(z.object({ pattern: z.string(), expression: z.string(), methods: z.array(z.string()).optional() }))
        .optional(),
    }),
  ),
});

export interface BundledFunction {
  name: string;
  /** The unzipped bundle, outside the project tree. */
  dir: string;
  kind: 'sync' | 'background' | 'scheduled';
  schedule: string | null;
  runtimeVersion: string | null;
  routes: Array<{ pattern: string; expression: RegExp; methods: string[] }>;
  zipBytes: number;
  unzippedBytes: number;
}

export interface Bundle {
  root: string;
  functions: BundledFunction[];
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** Runs the real `netlify build --offline` in the project, which writes the function zips and their manifest. */
export async function buildSite(): Promise<void> {
  await run('npx', ['--no-install', 'netlify', 'build', '--offline'], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NETLIFY_SITE_ID: '' },
  });
}

/** Unzips every function of the last build into a fresh temporary directory outside the repository. */
export async function unpackBuild(): Promise<Bundle> {
  const functionsDir = join(REPO_ROOT, '.netlify/functions');
  const manifest = manifestSchema.parse(JSON.parse(await readFile(join(functionsDir, 'manifest.json'), 'utf8')));
  const root = await mkdtemp(join(tmpdir(), 'sirtrav-deploy-'));
  const functions = await Promise.all(
    manifest.functions.map(async (fn): Promise<BundledFunction> => {
      const dir = join(root, fn.name);
      const zip = join(functionsDir, `${fn.name}.zip`);
      await extractZip(zip, { dir });
      return {
        name: fn.name,
        dir,
        kind: fn.invocationMode === 'background' ? 'background' : fn.schedule ? 'scheduled' : 'sync',
        schedule: fn.schedule ?? null,
        runtimeVersion: fn.runtimeVersion ?? null,
        routes: (fn.routes ?? []).map((route) => ({
          pattern: route.pattern,
          expression: new RegExp(route.expression),
          methods: route.methods ?? [],
        })),
        zipBytes: (await stat(zip)).size,
        unzippedBytes: await directoryBytes(dir),
      };
    }),
  );
  return { root, functions };
}

/** The bundle unpacked earlier (by the deploy suite's global setup), read back from its directory. */
export async function loadUnpacked(root: string): Promise<Bundle> {
  const described = JSON.parse(await readFile(join(root, 'bundle.json'), 'utf8')) as Array<
    Omit<BundledFunction, 'routes'> & { routes: Array<{ pattern: string; expression: string; methods: string[] }> }
  >;
  return {
    root,
    functions: described.map((fn) => ({
      ...fn,
      routes: fn.routes.map((route) => ({ ...route, expression: new RegExp(route.expression) })),
    })),
  };
}

export function describeBundle(bundle: Bundle): string {
  return JSON.stringify(
    bundle.functions.map((fn) => ({
      ...fn,
      routes: fn.routes.map((route) => ({ ...route, expression: route.expression.source })),
    })),
  );
}
