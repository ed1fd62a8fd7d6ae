import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadUnpacked } from './host/bundle.js';
import { fixtureFunction } from './host/fixture-function.js';
import { startDeployHost, type DeployHost } from './host/host.js';

const MB = 1024 * 1024;
let host: DeployHost;
let root: string;

beforeAll(async () => {
  const bundle = await loadUnpacked(inject('bundleRoot'));
  const bootstrap = join(bundle.functions.find((fn) => fn.name === 'api')!.dir, '___netlify-bootstrap.mjs');
  root = await mkdtemp(join(tmpdir(), 'sirtrav-limits-'));
  const source = join(import.meta.dirname, 'fixtures/limits-function.mjs');
  const functions = [
    await fixtureFunction(root, 'limits', 'sync', { bootstrap, source }),
    await fixtureFunction(root, 'limits-background', 'background', { bootstrap, source }),
    await fixtureFunction(root, 'limits-scheduled', 'scheduled', { bootstrap, source }),
  ];
  host = await startDeployHost({
    bundle: { root, functions },
    limits: { backgroundMs: 2000, scheduledMs: 2000, backgroundRetryDelaysMs: [] },
    publicDirectory: null,
  });
});

afterAll(async () => {
  await host?.close();
  await rm(root, { recursive: true, force: true });
});

const taken = () => host.violations.splice(0).map((violation) => `${violation.functionName} ${violation.limit}`);

describe('the deploy host enforces Netlify limits', () => {
  it('a response of 19 MB passes; one of 21 MB fails', async () => {
    expect((await (await fetch(`${host.url}/limits/small`)).arrayBuffer()).byteLength).toBe(19 * MB);
    expect(taken()).toEqual([]);
    await fetch(`${host.url}/limits/big`)
      .then((response) => response.arrayBuffer())
      .catch(() => null);
    expect(taken()).toEqual(['limits responseBytes']);
  });

  it('a stream longer than 10 s fails', async () => {
    const started = Date.now();
    await fetch(`${host.url}/limits/slow`)
      .then((response) => response.text())
      .catch(() => null);
    expect(Date.now() - started).toBeLessThan(11_500);
    expect(taken()).toEqual(['limits streamMs']);
  }, 20_000);

  it('a request body over 6 MB is refused before the function runs', async () => {
    const small = await fetch(`${host.url}/limits/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(4 * MB),
    });
    expect(await small.text()).toBe(String(4 * MB));
    const large = await fetch(`${host.url}/limits/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(5 * MB),
    });
    // 5 MB of binary arrives base64-encoded: 6.7 MB.
    expect(large.status).toBe(413);
    expect(taken()).toEqual(['limits requestBytes']);
  });

  it('more than 1024 MB of memory fails', async () => {
    await fetch(`${host.url}/limits/memory`)
      .then((response) => response.text())
      .catch(() => null);
    expect(taken()).toEqual(['limits memoryBytes']);
    expect(host.peakRss.limits).toBeGreaterThan(1024 * MB);
  });

  it("each instance's process tree gets Lambda's CPU share for 1024 MB (0.58 vCPU), children included", async () => {
    expect(host.cpuShare).toBeCloseTo(1024 / 1769, 3);
    const { wallMs, childCpuMs, quotaUs } = (await (await fetch(`${host.url}/limits/spin`)).json()) as {
      wallMs: number;
      childCpuMs: number;
      quotaUs: number | null;
    };
    // A process the function spawns is in a group capped at 0.58 of each 100 ms period.
    expect(quotaUs).toBe(57_886);
    // Two busy children for 2 s each would take up to 2 s of CPU a second on two cores; capped, at most 0.58
    // (less when other work on this machine competes for it).
    expect(childCpuMs / wallMs).toBeGreaterThan(0.05);
    expect(childCpuMs / wallMs).toBeLessThan(0.7);
    expect(host.coldStarts.some((start) => start.functionName === 'limits' && start.ms > 0)).toBe(true);
    // Starting the instance took CPU of its own group, counted apart from the wall.
    expect(host.coldStarts.find((start) => start.functionName === 'limits')?.cpuMs).toBeGreaterThan(0);
  });

  it('background and scheduled functions are stopped at their time limits', async () => {
    expect((await fetch(`${host.url}/.netlify/functions/limits-background`, { method: 'POST' })).status).toBe(202);
    await host.idle();
    expect(await host.runScheduled('limits-scheduled')).toBe(502);
    expect(taken().sort()).toEqual(['limits-background backgroundMs', 'limits-scheduled scheduledMs']);
    // It slept until it was stopped: its CPU, counted by its group, is a small part of its wall.
    const background = host.invocations.find((invocation) => invocation.functionName === 'limits-background');
    expect(background?.cpuMs).toBeGreaterThanOrEqual(0);
    expect(background!.cpuMs!).toBeLessThan(0.1 * background!.ms);
  });
});
