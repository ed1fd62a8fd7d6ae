import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../src/client/follow-progress.js';
import { createProject } from '../../src/projects/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { keys, writeJSON, type Id } from '../../src/storage/index.js';
import { emptyHour, metricsHourDoc } from '../../src/metrics/buckets.js';
import { sweepWebhooks } from '../../src/webhooks/deliver.js';
import { claimDelivery, enqueueWebhook, readDelivery, readFinishedDelivery } from '../../src/webhooks/outbox.js';
import { createWebhookSecret } from '../../src/webhooks/secret.js';
import { postWebhook } from '../../src/webhooks/send.js';
import { checkWebhookUrl, useResolver } from '../../src/webhooks/url-policy.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
afterEach(() => {
  vi.unstubAllEnvs();
  useResolver(undefined);
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that answers with the given statuses in turn (the last one repeats). */
async function startReceiver(statuses: number[]): Promise<{ url: string; received: Received[]; connections: () => number; close(): Promise<void> }> {
  const received: Received[] = [];
  let connections = 0;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  receiver.on('connection', () => connections++);
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', () => done()));
  const { port } = receiver.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/sirtrav`,
    received,
    connections: () => connections,
    close: () => new Promise((done) => receiver.close(() => done())),
  };
}

const verify = (secret: string, item: Received) =>
  new Webhook(secret).verify(item.body, {
    'webhook-id': String(item.headers['webhook-id']),
    'webhook-timestamp': String(item.headers['webhook-timestamp']),
    'webhook-signature': String(item.headers['webhook-signature']),
  }) as { type: string; data: RunState };

describe('run webhooks', () => {
  it('a finished run is POSTed signed per Standard Webhooks, retried after two 500s with the same webhook-id', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_RETRY_BASE_MS', '200');
    const receiver = await startReceiver([500, 500, 200]);
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
        expect(event.data).toMatchObject({ runId, projectId, status: 'complete', outputs: { video: { width: 640, height: 360 } } });
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
    const receiver = await startReceiver([200]);
    try {
      const { projectId } = await createProject('crash');
      const secret = await createWebhookSecret(projectId);
      const state = await plantRun(projectId, 'cancelled', 0, { webhookUrl: receiver.url });
      const runId = state.runId;
      await enqueueWebhook(state);
      // A function took it for an attempt and died before sending: its claim expires, nothing is lost.
      expect(await claimDelivery(runId, new Date(), 1)).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await enqueueWebhook(state)).toMatchObject({ attempts: 1 });
      expect(receiver.received).toHaveLength(0);

      // The scheduled function, called as the platform calls it, sweeps the outbox (and drops metric hours older than 30 days).
      await writeJSON(keys.metricsHour('2020-01-01T00'), metricsHourDoc, emptyHour('2020-01-01T00'));
      const scheduled = await fetch(`${server.current.url}/.netlify/functions/operations-scheduled`, { method: 'POST' });
      expect(await scheduled.json()).toEqual({ webhooks: { attempted: 1, delivered: 1 }, prunedHours: 1 });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.headers['webhook-id']).toBe(`msg_${runId}`);
      expect(verify(secret, receiver.received[0]!)).toMatchObject({ type: 'run.cancelled', data: { runId, status: 'cancelled' } });
      expect(await sweepWebhooks(10_000)).toEqual({ attempted: 0, delivered: 0 });
    } finally {
      await receiver.close();
    }
  });

  it('in production, URLs that resolve to private, loopback or link-local addresses are refused with 400 before any connection', async () => {
    const trap = await startReceiver([200]);
    try {
      vi.stubEnv('CONTEXT', 'production');
      vi.stubEnv('SIRTRAV_API_SECRET', 'secret-for-webhooks');
      vi.stubEnv('SIRTRAV_ADMIN_TOKEN', 'admin-for-webhooks');
      const lookups: string[] = [];
      const table: Record<string, string[]> = {
        'internal.example.test': ['10.1.2.3'],
        'rebind.example.test': ['93.184.216.34', '127.0.0.1'],
        'metadata.example.test': ['fd00:ec2::254'],
        'public.example.test': ['93.184.216.34'],
      };
      useResolver(async (hostname) => {
        lookups.push(hostname);
        return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      });
      const admin = { authorization: 'Bearer admin-for-webhooks' };
      const { api } = await createProjectOverHttp(server.current.url, admin);
      const port = new URL(trap.url).port;
      const refused = [
        `https://127.0.0.1:${port}/hook`,
        'https://[::1]/hook',
        'https://169.254.169.254/latest/meta-data',
        'https://10.0.0.8/',
        'https://172.20.1.1/',
        'https://192.168.1.1/',
        'https://[::ffff:127.0.0.1]/',
        'https://[fe80::1]/',
        'https://0.0.0.0/',
        'https://internal.example.test/hook',
        'https://rebind.example.test/hook',
        'https://metadata.example.test/',
        `http://public.example.test/hook`,
        'https://nowhere.example.test/',
      ];
      for (const webhookUrl of refused) {
        const response = await fetch(api('/runs'), {
          method: 'POST',
          headers: { ...admin, 'content-type': 'application/json' },
          body: JSON.stringify({ webhookUrl }),
        });
        expect(response.status, webhookUrl).toBe(400);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_webhook_url');
      }
      expect(lookups.sort()).toEqual(['internal.example.test', 'metadata.example.test', 'nowhere.example.test', 'rebind.example.test']);
      expect(((await (await fetch(api('/runs'), { headers: admin })).json()) as { runs: unknown[] }).runs).toHaveLength(0);
      await expect(checkWebhookUrl('https://public.example.test/hook', { production: true })).resolves.toBeInstanceOf(URL);

      // At send time too: a name re-pointed at loopback after the check is refused at connection.
      table['public.example.test'] = ['127.0.0.1'];
      const sent = await postWebhook(new URL(`http://public.example.test:${port}/hook`), {}, '{}', { production: true, timeoutMs: 2000 });
      expect(sent).toMatchObject({ status: null });
      expect(trap.connections()).toBe(0);
    } finally {
      await trap.close();
    }
  });
});
