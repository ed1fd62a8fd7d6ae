import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { createProject } from '../../src/projects/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { keys, writeJSON, type Id } from '../../src/storage/index.js';
import { emptyHour, metricsHourDoc } from '../../src/metrics/buckets.js';
import { claimDelivery, enqueueWebhook, readDelivery, readFinishedDelivery } from '../../src/webhooks/outbox.js';
import { createWebhookSecret } from '../../src/webhooks/secret.js';
import { sweepWebhooks } from '../../src/webhooks/sweep.js';
import { useResolver } from '../../src/webhooks/url-policy.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';
import { startReceiver, statuses, type Received } from '../helpers/webhook-receiver.js';

const server = useLocalServer();
afterEach(() => {
  vi.unstubAllEnvs();
  useResolver(undefined);
});

const verify = (secret: string, item: Received) =>
  new Webhook(secret).verify(item.body, {
    'webhook-id': String(item.headers['webhook-id']),
    'webhook-timestamp': String(item.headers['webhook-timestamp']),
    'webhook-signature': String(item.headers['webhook-signature']),
  }) as { type: string; data: RunState };

describe('run webhooks', () => {
  it('a finished run is POSTed signed per Standard Webhooks, retried after two 500s with the same webhook-id', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    vi.stubEnv('SIRTRAV_WEBHOOK_RETRY_BASE_MS', '200');
    const receiver = await startReceiver(statuses([500, 500, 200]));
    try {
      const created = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
      const { projectId, webhookSecret } = (await created.json()) as { projectId: string; webhookSecret: string };
      expect(webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const api = (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;
      await uploadPhotos(api, 2, 800);
      const start = await fetch(api('/runs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ durationSec: 4, resolution: '360p', narration: false, webhookUrl: receiver.url }),
      });
      expect(start.status).toBe(202);
      const { runId, links } = (await start.json()) as { runId: string; links: { progress: string } };
      const final = await followProgress(links.progress, { onEvent: () => undefined });
      expect(final?.status).toBe('complete');
      await server.current.idle();

      expect(receiver.received).toHaveLength(3);
      const ids = receiver.received.map((item) => item.headers['webhook-id']);
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toBe(`msg_${runId}`);
      for (const item of receiver.received) {
        const event = verify(webhookSecret, item);
        expect(event.type).toBe('run.completed');
        expect(event.data).toMatchObject({
          runId,
          projectId,
          status: 'complete',
          outputs: { video: { width: 640, height: 360 } },
        });
      }
      expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, receiver.received[2]!)).toThrow();
      const record = await readFinishedDelivery(projectId as Id, runId as Id);
      expect(record).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
      expect(await readDelivery(runId as Id)).toBeNull();
    } finally {
      await receiver.close();
    }
  });

  it('a delivery survives a crash: the sweep sends it from Blobs with the stored webhook-id', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    const receiver = await startReceiver(statuses([200]));
    try {
      const { projectId } = await createProject('crash');
      const secret = await createWebhookSecret(projectId);
      const state = await plantRun(projectId, 'cancelled', 0, { webhookUrl: receiver.url });
      const runId = state.runId;
      await enqueueWebhook(state);
      // A function took it for an attempt and died before sending: its claim expires, nothing is lost.
      expect(await claimDelivery(runId, { now: new Date(), holdMs: 1, maxAttempts: 12 })).not.toBeNull();
      await sleep(20);
      expect(await enqueueWebhook(state)).toMatchObject({ attempts: 1 });
      expect(receiver.received).toHaveLength(0);

      // The scheduled function, called as the platform calls it, sweeps the outbox (and drops metric hours older than 30 days).
      await writeJSON(keys.metricsHour('2020-01-01T00'), metricsHourDoc, emptyHour('2020-01-01T00'));
      const scheduled = await fetch(`${server.current.url}/.netlify/functions/operations-scheduled`, {
        method: 'POST',
      });
      expect(await scheduled.json()).toEqual({ webhooks: { attempted: 1, delivered: 1, skipped: 0 }, prunedHours: 1 });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers['webhook-id']).toBe(`msg_${runId}`);
      expect(verify(secret, receiver.received[0]!)).toMatchObject({
        type: 'run.cancelled',
        data: { runId, status: 'cancelled' },
      });
      expect(await sweepWebhooks(30_000)).toEqual({ attempted: 0, delivered: 0, skipped: 0 });
    } finally {
      await receiver.close();
    }
  });

  it('with the guard on, loopback, private and link-local webhook URLs are refused with 422 at run start, nothing stored', async () => {
    // No SIRTRAV_WEBHOOK_ALLOW_PRIVATE: the guard is on without anything to configure. The project has no photos,
    // so even a broken guard could start no run (and send nothing): it would answer 422 no_photos instead.
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '');
    const lookups: string[] = [];
    const table: Record<string, string[]> = {
      localhost: ['127.0.0.1', '::1'],
      'internal.example.test': ['10.1.2.3'],
      'rebind.example.test': ['93.184.216.34', '127.0.0.1'],
      'metadata.example.test': ['fd00:ec2::254'],
      'public.example.test': ['93.184.216.34'],
    };
    useResolver(async (hostname) => {
      lookups.push(hostname);
      return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    });
    const { api } = await createProjectOverHttp(server.current.url);
    const start = (webhookUrl: string) =>
      fetch(api('/runs'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ webhookUrl }),
      });
    const refused = [
      'https://127.0.0.1:8443/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      'https://2130706433/hook',
      'https://0x7f.1/',
      'https://localhost/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.8/',
      'https://172.20.1.1/',
      'https://192.168.1.1/',
      'https://100.64.0.1/',
      'https://[fe80::1]/',
      'https://[fc00::1]/',
      'https://0.0.0.0/',
      'https://internal.example.test/hook',
      'https://rebind.example.test/hook',
      'https://metadata.example.test/',
      'http://public.example.test/hook',
      'https://user:pass@public.example.test/hook',
      'https://nowhere.example.test/',
    ];
    for (const webhookUrl of refused) {
      const response = await start(webhookUrl);
      expect(response.status, webhookUrl).toBe(422);
      expect(((await response.json()) as { error: { code: string } }).error.code, webhookUrl).toBe(
        'invalid_webhook_url',
      );
    }
    expect(lookups.sort()).toEqual([
      'internal.example.test',
      'localhost',
      'metadata.example.test',
      'nowhere.example.test',
      'rebind.example.test',
    ]);

    // The system resolver too: the real `localhost` is refused (resolving it opens no connection).
    useResolver(undefined);
    const local = await start('https://localhost/hook');
    expect(local.status).toBe(422);
    expect(((await local.json()) as { error: { code: string } }).error.code).toBe('invalid_webhook_url');
    expect(((await (await fetch(api('/runs'))).json()) as { runs: unknown[] }).runs).toHaveLength(0);

    // A public https URL passes the check; the run is then refused for what it lacks (photos), not for its webhook.
    useResolver(async (hostname) => (table[hostname] ?? []).map((address) => ({ address, family: 4 })));
    const accepted = await start('https://public.example.test/hook');
    expect(((await accepted.json()) as { error: { code: string } }).error.code).not.toBe('invalid_webhook_url');
  });
});
