import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildSite, describeBundle, unpackBuild } from './host/bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleRoot: string;
  }
}

const MB = 1e6;

/** Builds the site once (unless SIRTRAV_DEPLOY_REUSE_BUILD=1 reuses the last build) and unpacks its functions. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.SIRTRAV_DEPLOY_REUSE_BUILD !== '1') {
    const started = Date.now();
    await buildSite();
    console.log(`netlify build --offline: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const bundle = await unpackBuild();
  await writeFile(join(bundle.root, 'bundle.json'), describeBundle(bundle));
  console.log('function bundles (Netlify limit: 250 MB unzipped):');
  for (const fn of bundle.functions) {
    console.log(
      `  ${fn.name.padEnd(26)} ${fn.kind.padEnd(10)} zip ${(fn.zipBytes / MB).toFixed(1).padStart(5)} MB  unzipped ${(fn.unzippedBytes / MB).toFixed(1).padStart(6)} MB`,
    );
  }
  project.provide('bundleRoot', bundle.root);
  return async () => {
    await rm(bundle.root, { recursive: true, force: true });
  };
}
