import { describe, expect, it } from 'vitest';
import { PipelineError, withFallback } from '../../src/pipeline/index.js';
import { retry } from '../../src/retry.js';

const flaky = (
  failures: number,
  error = new PipelineError({ errorClass: 'network', code: 'down', message: 'provider down' }),
) => {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      calls++;
      if (calls <= failures) throw error;
      return 'cloud';
    },
  };
};
const local = { name: 'local', run: async () => 'local' };

describe('provider fallback', () => {
  it('retries a retryable failure, then succeeds with the cloud provider', async () => {
    const cloud = flaky(2);
    const retries: number[] = [];
    const outcome = await withFallback({ name: 'cloud', run: cloud.run }, local, {
      baseDelayMs: 1,
      onRetry: (_, attempt) => retries.push(attempt),
    });
    expect(outcome).toEqual({ value: 'cloud', provider: 'cloud' });
    expect(cloud.calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('falls back at once on an error retrying cannot help, saying why', async () => {
    const cloud = flaky(
      9,
      new PipelineError({ errorClass: 'configuration', code: 'bad_key', message: 'key refused', retryable: false }),
    );
    const outcome = await withFallback({ name: 'cloud', run: cloud.run }, local, { baseDelayMs: 1 });
    expect(outcome).toEqual({
      value: 'local',
      provider: 'local',
      fallbackReason: 'cloud failed (configuration: key refused)',
    });
    expect(cloud.calls).toBe(1);
  });

  it('falls back after the last attempt', async () => {
    const cloud = flaky(9);
    const outcome = await withFallback({ name: 'cloud', run: cloud.run }, local, { attempts: 3, baseDelayMs: 1 });
    expect(outcome.provider).toBe('local');
    expect(cloud.calls).toBe(3);
  });

  it('a cancel stops the backoff at once and does not fall back', async () => {
    const controller = new AbortController();
    const cloud = flaky(9);
    let localRan = false;
    const started = performance.now();
    const pending = withFallback(
      { name: 'cloud', run: cloud.run },
      { name: 'local', run: async () => ((localRan = true), 'local') },
      { baseDelayMs: 60_000, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('run cancelled')), 20);
    await expect(pending).rejects.toThrow('run cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(cloud.calls).toBe(1);
    expect(localRan).toBe(false);
  });
});

describe('retry', () => {
  it('ends a backoff as soon as the signal fires, with the abort reason, and tries nothing once it has fired', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = performance.now();
    const failing = async () => {
      calls++;
      throw new Error('still failing');
    };
    const waiting = retry(failing, {
      attempts: 3,
      baseDelayMs: 60_000,
      signal: controller.signal,
      shouldRetry: () => true,
      onRetry: () => setTimeout(() => controller.abort(new Error('stop')), 50),
    });
    await expect(waiting).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    await expect(
      retry(failing, { attempts: 3, baseDelayMs: 1, signal: controller.signal, shouldRetry: () => true }),
    ).rejects.toThrow('stop');
    expect(calls).toBe(1);
  });

  it('retry doubles its waits and gives up with the last error', async () => {
    const waits: number[] = [];
    let last = performance.now();
    const attempt = async () => {
      const now = performance.now();
      waits.push(now - last);
      last = now;
      throw new Error('still failing');
    };
    await expect(retry(attempt, { attempts: 3, baseDelayMs: 20, shouldRetry: () => true })).rejects.toThrow(
      'still failing',
    );
    expect(waits).toHaveLength(3);
    expect(waits[1]).toBeGreaterThanOrEqual(18);
    expect(waits[2]).toBeGreaterThanOrEqual(38);
  });
});
