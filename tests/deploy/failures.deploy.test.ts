import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, inject, it } from 'vitest';
import { loadUnpacked } from './host/bundle.js';
import { fixtureFunction } from './host/fixture-function.js';
import { DeployHostViolation, startDeployHost, type DeployHost } from './host/host.js';

let bootstrap: string;
let root: string;
let host: DeployHost | undefined;

beforeAll(async () => {
  const bundle = await loadUnpacked(inject('bundleRoot'));
  bootstrap = join(bundle.functions.find((fn) => fn.name === 'api')!.dir, '___netlify-bootstrap.mjs');
  root = await mkdtemp(join(tmpdir(), 'sirtrav-failures-'));
  return () => rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** A host serving one background function built from a fixture, retried as configured. */
async function serveBackground(name: string, fixture: string, backgroundRetryDelaysMs: number[]): Promise<DeployHost> {
  const fn = await fixtureFunction(root, name, 'background', {
    bootstrap,
    source: join(import.meta.dirname, 'fixtures', fixture),
  });
  host = await startDeployHost({
    bundle: { root, functions: [fn] },
    limits: { backgroundRetryDelaysMs },
    publicDirectory: null,
  });
  expect((await fetch(`${host.url}/.netlify/functions/${name}`, { method: 'POST', body: '{}' })).status).toBe(202);
  return host;
}

const failedInvocations = (host: DeployHost, name: string) =>
  host
    .logs()
    .split('\n')
    .filter((line) => line.startsWith(`[${name}] invocation failed`)).length;

it('a background function whose bundle misses a module fails the test at its first invocation, saying which module', async () => {
  const started = Date.now();
  // Netlify would try again in a minute; the same bundle would fail the same way.
  const host = await serveBackground('broken-background', 'missing-module-function.mjs', [60_000]);
  await host.idle();
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(failedInvocations(host, 'broken-background')).toBe(1);
  expect(host.violations.map((violation) => violation.limit)).toEqual(['brokenBundle']);
  expect(host.violations[0]!.detail).toMatch(/stderr \(tail\)[\s\S]*sirtrav-fixture-package-not-in-the-bundle/);
  // A test waiting on the run hears of it at once, with the reason.
  expect(host.failed.aborted).toBe(true);
  expect(host.failed.reason).toBeInstanceOf(DeployHostViolation);
  expect(() => host.failed.throwIfAborted()).toThrow(/broken-background brokenBundle: .*misses a module/);
});

it('a background function failing two invocations in a row is given up on, and the violation quotes its stderr', async () => {
  const host = await serveBackground('failing-background', 'failing-function.mjs', [200, 200, 200]);
  await host.idle();
  expect(failedInvocations(host, 'failing-background')).toBe(2);
  expect(host.violations.map((violation) => violation.limit)).toEqual(['backgroundFailures']);
  const { detail } = host.violations[0]!;
  expect(detail).toMatch(/failed 2 invocations in a row/);
  expect(detail).toMatch(/fixture: the scratch disk is full/);
  expect(detail).toMatch(/invocation failed: Error: fixture failure/);
  expect(host.failed.aborted).toBe(true);
});
