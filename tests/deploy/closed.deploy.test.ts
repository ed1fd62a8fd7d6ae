import { describe, expect, it } from 'vitest';
import { SUITE_ENV } from '../e2e/suite.js';
import { useDeployHost } from './use-deploy-host.js';

/**
 * The built bundles with only what Netlify gives a function at run time: the variables set for the Functions
 * scope, URL, SITE_NAME and SITE_ID, and the deploy context in each request; never CONTEXT.
 */
describe('a deploy without SIRTRAV_API_SECRET refuses every /api answer', () => {
  // A site that even declares itself local: a deploy context in the request overrides it.
  const host = useDeployHost({ env: { SIRTRAV_LOCAL: '1' }, deployContext: 'deploy-preview' });

  it('health, project creation, project routes, unknown routes and preflights all answer 503', async () => {
    const requests: [string, string, RequestInit?][] = [
      ['GET', '/api/health'],
      ['POST', '/api/projects', { body: '{}', headers: { 'content-type': 'application/json' } }],
      ['GET', '/api/projects/p1/runs'],
      ['POST', '/api/projects/p1/runs', { body: '{}', headers: { 'content-type': 'application/json' } }],
      ['GET', '/api/projects/p1/runs/r1/video'],
      ['POST', '/api/admin/cleanup', { body: '{}', headers: { 'content-type': 'application/json' } }],
      ['GET', '/api/openapi.json'],
      ['GET', '/api/no/such/route'],
      ['OPTIONS', '/api/projects'],
    ];
    for (const [method, path, init] of requests) {
      const response = await fetch(host.current.url + path, { method, ...init });
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(await response.json(), `${method} ${path}`).toMatchObject({ error: { code: 'auth_not_configured' } });
    }
  });

  it('the background function does no work for an unsigned request (without a secret every signature is empty)', async () => {
    const body = JSON.stringify({ projectId: 'p1', runId: 'r1', signature: '' });
    const response = await fetch(`${host.current.url}/.netlify/functions/run-pipeline-background`, {
      method: 'POST',
      body,
    });
    expect(response.status).toBe(202);
    await host.current.idle();
    expect(host.current.logs()).toContain('background invocation refused: SIRTRAV_API_SECRET is not set');
  });
});

describe('a deploy with the secret', () => {
  const host = useDeployHost({ env: { ...SUITE_ENV } });

  it('refuses webhook URLs to loopback in every spelling, with no CONTEXT and no allowance set', async () => {
    const admin = { authorization: `Bearer ${SUITE_ENV.SIRTRAV_ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const project = (await (
      await fetch(`${host.current.url}/api/projects`, { method: 'POST', headers: admin, body: '{}' })
    ).json()) as {
      projectId: string;
      token: string;
    };
    const headers = { authorization: `Bearer ${project.token}`, 'content-type': 'application/json' };
    for (const webhookUrl of [
      'https://127.0.0.1/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://2130706433/hook',
      'https://localhost/hook',
    ]) {
      const response = await fetch(`${host.current.url}/api/projects/${project.projectId}/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ webhookUrl, narration: false }),
      });
      expect(response.status, webhookUrl).toBe(422);
      expect(await response.json(), webhookUrl).toMatchObject({ error: { code: 'invalid_webhook_url' } });
    }
    // Nothing was started by any of them.
    const runs = (await (
      await fetch(`${host.current.url}/api/projects/${project.projectId}/runs`, { headers })
    ).json()) as { runs: unknown[] };
    expect(runs.runs).toEqual([]);
  });
});
