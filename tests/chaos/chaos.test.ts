import { describe, expect, it } from 'vitest';
import { runChaos, type ChaosOptions } from '../../scripts/chaos/run.js';

/** 3 short runs (4 s, 360p, no narration), the host killed twice, a 4 s lease. */
const small = (store: ChaosOptions['store'], faults: { faultRate: number; stallMs: number }) =>
  runChaos({
    runs: 3,
    kills: 2,
    store,
    ...faults,
    leaseMs: 4000,
    seed: 42,
    timeoutMs: 150_000,
    durationSec: 4,
    narration: false,
  });

describe('chaos, small', () => {
  it('3 runs, the host with its own Blobs server killed twice while a write was half done: every run ends once, serves its video, no 5xx after', async () => {
    const result = await small('embedded', { faultRate: 0, stallMs: 0 });
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({
      kills: 2,
      killsMidWrite: 2,
      runs: 3,
      ended: 3,
      followedHistories: 3,
      cleanHistories: 3,
      status5xxAfter: 0,
    });
    expect(result).toMatchObject({
      complete: 3,
      servedVideos: 3,
      oneVideo: 3,
      playableVideos: 3,
      orphanFfmpeg: 0,
      orphanBlobs: 0,
      ok: true,
    });
    expect(result.tears.tornMetadata + result.tears.unrenamedBodies).toBeGreaterThan(0);
  }, 300_000);

  it('3 runs, host SIGKILLed twice, 5% of Blobs requests failed or stalled: every run complete with one playable video and one clean history, nothing left over', async () => {
    const result = await small('proxy', { faultRate: 0.05, stallMs: 800 });
    expect(result.problems).toEqual([]);
    expect(result.kills).toBe(2);
    expect(result).toMatchObject({
      runs: 3,
      complete: 3,
      oneVideo: 3,
      playableVideos: 3,
      cleanHistories: 3,
      orphanFfmpeg: 0,
      orphanBlobs: 0,
      ok: true,
    });
    expect(result.faults.status500 + result.faults.status503 + result.faults.stalls).toBeGreaterThan(0);
  }, 300_000);
});
