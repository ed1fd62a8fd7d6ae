import { describe, expect, it } from 'vitest';
import {
  atStep,
  type CompleteRun,
  type FailedRun,
  newRun,
  toCancelled,
  toComplete,
  toFailed,
  toRunning,
  withCancelRequest,
} from '../../src/runs/index.js';
import { runStateSchema } from '../../src/schemas/run.js';
import { parseId } from '../../src/storage/index.js';
import { oneShotStoryboard } from '../helpers/storyboard.js';

const projectId = parseId('p_transitions');
const runId = parseId('r_transitions');
const at = new Date('2026-01-02T03:04:05.000Z');
const storyboard = oneShotStoryboard({ theme: 'T', mediaId: parseId('m_1') });
const video = { bytes: 10, durationSec: 6, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' };

describe('run transitions', () => {
  it('a new run is queued, with nothing done, and valid as stored', () => {
    const run = newRun({ projectId, runId, request: { durationSec: 6 }, mediaIds: [], now: at });
    expect(run).toMatchObject({
      status: 'queued',
      step: null,
      progress: 0,
      attempts: 0,
      cancelRequested: false,
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    });
    expect(runStateSchema.parse(run)).toEqual(run);
  });

  it('running counts attempts; steps record provider and timing; complete carries storyboard and video', () => {
    const running = toRunning(toRunning(newRun({ projectId, runId, request: {}, mediaIds: [], now: at })));
    expect(running.attempts).toBe(2);
    const timing = { startedAt: at.toISOString(), finishedAt: at.toISOString(), ms: 0 };
    const stepped = atStep(running, 'director', 0.2, { storyboard, provider: 'local', timing });
    expect(stepped).toMatchObject({
      status: 'running',
      step: 'director',
      progress: 0.2,
      providers: { director: 'local' },
      timings: { director: timing },
    });
    const done = toComplete(stepped, storyboard, { video });
    expect(done).toMatchObject({ status: 'complete', step: null, progress: 1, outputs: { video } });
    expect(runStateSchema.parse(done)).toEqual(done);
  });

  it('failed carries its error; cancelled ends the step; a cancel request leaves a running run running', () => {
    const running = toRunning(newRun({ projectId, runId, request: {}, mediaIds: [], now: at }));
    const failed = toFailed(running, { code: 'x', message: 'broke', retryable: false });
    expect(runStateSchema.parse(failed)).toMatchObject({ status: 'failed', error: { code: 'x' } });
    expect(toCancelled(atStep(running, 'compose', 0.5))).toMatchObject({
      status: 'cancelled',
      step: null,
      cancelRequested: true,
    });
    expect(withCancelRequest(running)).toMatchObject({ status: 'running', cancelRequested: true });
  });

  it('impossible states do not type-check', () => {
    const running = toRunning(newRun({ projectId, runId, request: {}, mediaIds: [], now: at }));
    // @ts-expect-error a complete run needs its video
    const noVideo: CompleteRun = { ...running, status: 'complete', storyboard, outputs: {} };
    // @ts-expect-error a failed run needs its error
    const noError: FailedRun = { ...running, status: 'failed' };
    // @ts-expect-error a finished run cannot be taken up again
    toRunning(toCancelled(running));
    expect(runStateSchema.safeParse(noVideo).success).toBe(false);
    expect(runStateSchema.safeParse(noError).success).toBe(false);
  });
});
