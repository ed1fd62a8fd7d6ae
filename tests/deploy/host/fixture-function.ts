import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundledFunction } from './bundle.js';

/**
 * A function dir as `netlify build` lays it out: Netlify's own bootstrap (copied from a real build) and an
 * entry point that loads `source` as the function's module (as `netlify/functions/<name>.mjs`).
 */
export async function fixtureFunction(
  root: string,
  name: string,
  kind: BundledFunction['kind'],
  options: { bootstrap: string; source: string },
): Promise<BundledFunction> {
  const dir = join(root, name);
  await mkdir(join(dir, 'netlify/functions'), { recursive: true });
  await cp(options.bootstrap, join(dir, '___netlify-bootstrap.mjs'));
  await cp(options.source, join(dir, `netlify/functions/${name}.mjs`));
  await writeFile(
    join(dir, '___netlify-entry-point.mjs'),
    `import * as bootstrap from './___netlify-bootstrap.mjs';export const handler = bootstrap.getLambdaHandler('./netlify/functions/${name}.mjs')`,
  );
  const routes =
    kind === 'sync' ? [{ pattern: `/${name}/*`, expression: new RegExp(`^/${name}(?:/(.*))/?$`), methods: [] }] : [];
  return {
    name,
    dir,
    kind,
    schedule: kind === 'scheduled' ? '@daily' : null,
    runtimeVersion: null,
    routes,
    zipBytes: 0,
    unzippedBytes: 0,
  };
}
