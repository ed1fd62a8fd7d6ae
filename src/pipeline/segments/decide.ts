import { getConfig } from '../../config.js';
import { fpsOf, totalFramesOf } from '../../render/graph.js';
import type { Storyboard } from '../../schemas/run.js';
import type { SegmentPlan } from '../../schemas/segments.js';
import { keys, writeJSON } from '../../storage/index.js';
import type { RunContext } from '../context.js';
import { planSegments, segmentCount } from './plan.js';
import { readSegmentPlan, segmentPlanDoc } from './status.js';

/**
 * How the run's picture is split, decided once: a stored plan (an earlier
 * invocation's) wins, so every segment and every resumed coordinator agree.
 * Null when the render stays whole.
 */
export async function decideSegmentPlan(
  context: Pick<RunContext, 'projectId' | 'runId' | 'origin'>,
  storyboard: Storyboard,
): Promise<SegmentPlan | null> {
  const stored = await readSegmentPlan(context.projectId, context.runId);
  if (stored) return stored;
  const config = getConfig();
  if (!context.origin) return null;
  const count = segmentCount(storyboard, {
    max: config.SIRTRAV_SEGMENTS_MAX,
    secondsPerSegment: config.SIRTRAV_SEGMENT_SECONDS,
  });
  if (count < 2) return null;
  const segments = planSegments(storyboard, count, fpsOf(storyboard));
  if (segments.length < 2) return null;
  const plan: SegmentPlan = {
    totalFrames: totalFramesOf(storyboard),
    fps: fpsOf(storyboard),
    width: storyboard.width,
    height: storyboard.height,
    segments,
    createdAt: new Date().toISOString(),
  };
  await writeJSON(keys.segmentPlan(context.projectId, context.runId), segmentPlanDoc, plan, { onlyIfNew: true });
  return readSegmentPlan(context.projectId, context.runId);
}
