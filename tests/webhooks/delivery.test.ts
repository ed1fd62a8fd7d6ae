import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProject } from '../../src/projects/index.js';
import { deleteBlob, keys, type Id } from '../../src/storage/index.js';
import { MAX_DELIVERY_ATTEMPTS } from '../../src/webhooks/deliver.js';
import { claimDelivery, enqueueWebhook, readDelivery, readFinishedDelivery } from '../../src/webhooks/outbox.js';
import { createWebhookSecret } from '../../src/webhooks/secret.js';
import { MAX_ANSWER_BYTES, postWebhook } from '../../src/webhooks/send.js';
import { sweepWebhooks } from '../../src/webhooks/sweep.js';
import { resolveWebhookTarget, useResolver } from '../../src/webhooks/url-policy.js';
import { plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';
import { silent, startReceiver, statuses, trickle, type Receiver } from '../helpers/webhook-receiver.js';

// Every receiver listens on 127.0.0.1, and every stubbed name resolves to loopback: even a broken guard reaches nothing else.
useLocalServer();
const receivers: Receiver[] = [];
const queued: Id[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  useResolver(undefined);
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  // Each test sweeps the one outbox: what a test leaves pending must not be attempted by the next.
  await Promise.all(queued.splice(0).map((runId) => deleteBlob(keys.webhookDelivery(runId))));
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

/** A project with a secret and one ended run per URL, each with its delivery queued. */
async function queueDeliveries(urls: string[]): Promise<{ projectId: Id; runIds: Id[] }> {
  const { projectId } = await createProject('webhook delivery');
  await createWebhookSecret(projectId);
  const runIds: Id[] = [];
  for (const url of urls) {
    const state = await plantRun(projectId, 'complete', 0, { webhookUrl: url });
    await enqueueWebhook(state);
    runIds.push(state.runId);
    queued.push(state.runId);
  }
  return { projectId, runIds };
}

describe('webhook delivery', () => {
  it('a receiver trickling a byte every 400 ms is cut at the deadline, and another endpoint is delivered meanwhile', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    vi.stubEnv('SIRTRAV_WEBHOOK_DEADLINE_MS', '3000');
    const slow = await receiver(trickle(400));
    const fast = await receiver(statuses([204]));
    // Three deliveries to the trickling receiver (more than it may hold at once) and one elsewhere.
    const { projectId, runIds } = await queueDeliveries([slow.url, slow.url, slow.url, fast.url]);
    const started = Date.now();
    const result = await sweepWebhooks(30_000);
    const elapsed = Date.now() - started;

    expect(result).toEqual({ attempted: 3, delivered: 1, skipped: 1 });
    expect(fast.received).toHaveLength(1);
    expect(slow.received).toHaveLength(2);
    // The other endpoint was answered before the trickling attempts were cut, and the cut came at the deadline.
    expect(fast.received[0]!.at).toBeLessThan(Math.min(...slow.closedAt));
    expect(slow.closedAt).toHaveLength(2);
    for (const closed of slow.closedAt) expect(closed - slow.received[0]!.at).toBeGreaterThanOrEqual(2500);
    expect(elapsed).toBeLessThan(3000 + 10_000);
    expect(await readFinishedDelivery(projectId, runIds[3]!)).toMatchObject({ status: 'delivered', lastStatus: 204 });
    const cut = (await Promise.all(runIds.slice(0, 3).map((runId) => readDelivery(runId)))).filter(
      (delivery) => delivery?.attempts === 1,
    );
    expect(cut).toHaveLength(2);
    for (const delivery of cut)
      expect(delivery).toMatchObject({
        status: 'pending',
        lastError: 'no complete answer within 3000 ms',
        claimedUntil: null,
      });
  });

  it('a delivery whose receiver never answers is abandoned after its last attempt', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    vi.stubEnv('SIRTRAV_WEBHOOK_DEADLINE_MS', '500');
    const mute = await receiver(silent);
    const { projectId, runIds } = await queueDeliveries([mute.url]);
    const runId = runIds[0]!;
    // All attempts but the last were taken by invocations that died: each still counts.
    for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
      expect(
        await claimDelivery(runId, { now: new Date(), holdMs: 1, maxAttempts: MAX_DELIVERY_ATTEMPTS }),
      ).toMatchObject({ attempts: attempt });
      await sleep(5);
    }
    expect(await sweepWebhooks(30_000)).toEqual({ attempted: 1, delivered: 0, skipped: 0 });
    expect(mute.connections()).toBe(1);
    expect(await readDelivery(runId)).toBeNull();
    expect(await readFinishedDelivery(projectId, runId)).toMatchObject({
      status: 'abandoned',
      attempts: MAX_DELIVERY_ATTEMPTS,
      lastError: 'no complete answer within 500 ms',
    });
    expect(await sweepWebhooks(30_000)).toEqual({ attempted: 0, delivered: 0, skipped: 0 });
  });

  it('a delivery whose last attempt died without an outcome is abandoned, not tried again', async () => {
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    const trap = await receiver(statuses([200]));
    const { projectId, runIds } = await queueDeliveries([trap.url]);
    const runId = runIds[0]!;
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      await claimDelivery(runId, { now: new Date(), holdMs: 1, maxAttempts: MAX_DELIVERY_ATTEMPTS });
      await sleep(5);
    }
    expect(await sweepWebhooks(30_000)).toEqual({ attempted: 0, delivered: 0, skipped: 0 });
    expect(trap.connections()).toBe(0);
    expect(await readFinishedDelivery(projectId, runId)).toMatchObject({
      status: 'abandoned',
      attempts: MAX_DELIVERY_ATTEMPTS,
      lastError: 'the last attempt ended without an outcome',
    });
  });

  it('connects to the address it resolved and checked, once per attempt, with the Host of the URL', async () => {
    const hook = await receiver(statuses([200]));
    const lookups: string[] = [];
    useResolver(async (hostname) => {
      lookups.push(hostname);
      return hostname === 'pinned.example.test' ? [{ address: '127.0.0.1', family: 4 }] : [];
    });
    const url = new URL(`http://pinned.example.test:${hook.port}/hook`);
    expect(await postWebhook(url, {}, '{"ok":true}', { guard: false, deadlineMs: 5000 })).toEqual({
      status: 200,
      error: null,
    });
    expect(lookups).toEqual(['pinned.example.test']);
    expect(hook.received[0]).toMatchObject({
      body: '{"ok":true}',
      headers: { host: `pinned.example.test:${hook.port}` },
    });
  });

  it('with the guard on, a name re-pointed at loopback after the check, and loopback literals, are refused before any connection', async () => {
    const trap = await receiver(statuses([200]));
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    useResolver(async () => (answers.shift() ?? ['127.0.0.1']).map((address) => ({ address, family: 4 })));
    const rebind = new URL(`http://rebind.example.test:${trap.port}/hook`);
    // The first resolution (the start-time check) saw a public address; the delivery's own resolution sees loopback.
    await expect(resolveWebhookTarget(rebind, { guard: true })).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    const sent = await postWebhook(rebind, {}, '{}', { guard: true, deadlineMs: 5000 });
    expect(sent.status).toBeNull();
    expect(sent.error).toMatch(/non-public address/);
    for (const literal of [
      `http://127.0.0.1:${trap.port}/`,
      `http://[::ffff:127.0.0.1]:${trap.port}/`,
      `http://2130706433:${trap.port}/`,
    ]) {
      const refused = await postWebhook(new URL(literal), {}, '{}', { guard: true, deadlineMs: 5000 });
      expect(refused, literal).toMatchObject({ status: null, error: expect.stringMatching(/non-public address/) });
    }
    expect(trap.connections()).toBe(0);
  });

  it('reads at most a few KB of an answer, then closes the connection', async () => {
    const flood = await receiver((res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const started = Date.now();
    const sent = await postWebhook(new URL(flood.url), {}, '{}', { guard: false, deadlineMs: 20_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sent.status).toBe(500);
    expect(sent.error).toMatch(/^answered HTTP 500: x{100,200}$/);
    expect(MAX_ANSWER_BYTES).toBeLessThanOrEqual(16 * 1024);
    await expect.poll(() => flood.closedAt.length, { timeout: 5000 }).toBe(1);
  });
});
