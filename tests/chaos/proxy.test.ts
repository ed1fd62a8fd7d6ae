import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { seededRandom, startFaultProxy } from '../../scripts/chaos/proxy.js';

describe('the chaos fault proxy', () => {
  it('ends its upstream request when the client dies mid-body, so the store is never left waiting', async () => {
    const arrived: IncomingMessage[] = [];
    const target = createServer((req) => {
      req.on('error', () => undefined);
      arrived.push(req);
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const proxy = await startFaultProxy({
      target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
      faultRate: 0,
      stallMs: 0,
      random: seededRandom(1),
    });
    try {
      const client = request(`${proxy.url}/blob`, { method: 'PUT', headers: { 'content-length': '1000' } });
      client.on('error', () => undefined);
      client.write('x'.repeat(10));
      await expect.poll(() => arrived.length, { timeout: 5000 }).toBe(1);
      const upstreamClosed = new Promise((done) => arrived[0]!.once('close', done));
      client.destroy();
      await upstreamClosed;
      expect(arrived[0]!.complete).toBe(false);
    } finally {
      await proxy.close();
      target.closeAllConnections();
      await new Promise((done) => target.close(done));
    }
  });
});
