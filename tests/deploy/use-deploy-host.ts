import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { loadUnpacked } from './host/bundle.js';
import { startDeployHost, type DeployHost, type DeployHostOptions } from './host/host.js';

const MB = 1024 * 1024;

/** The built bundles served under Netlify's limits, once per test file; every test must stay inside them. */
export function useDeployHost(options: Omit<DeployHostOptions, 'bundle'> = {}): { current: DeployHost } {
  const holder = {} as { current: DeployHost };
  beforeAll(async () => {
    holder.current = await startDeployHost({ ...options, bundle: await loadUnpacked(inject('bundleRoot')) });
  });
  afterEach(() => {
    expect(holder.current.violations, holder.current.logs().slice(-4000)).toEqual([]);
  });
  afterAll(async () => {
    if (!holder.current) return;
    const peaks = Object.entries(holder.current.peakRss).map(
      ([name, bytes]) => `${name} ${(bytes / MB).toFixed(0)} MB`,
    );
    console.log(`peak RSS per function (process tree, limit 1024 MB): ${peaks.join(', ')}`);
    await holder.current.close();
  });
  return holder;
}
