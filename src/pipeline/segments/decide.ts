import { getConfig } from '../../config.js';
import { fpsOf, totalFramesOf } from '../../render/graph.js';
import type { Storyboard } from '../../schemas/run.js';
import type { SegmentPlan } from '../../schemas/segments.js';
import { keys, writeJSON } from '../../storage/index.js';
import type { RunContext } from '../context.js';
import { planSegments, segmentCount, type SegmentSettings } from './plan.js';
import { readSegmentPlan, segmentPlanDoc } from './status.js';

/**
 * Seconds of 1080p per segment when SIRTRAV_SEGMENT_SECONDS is unset. On Netlify every segment has an instance (and
 * its 0.58 vCPU) of its own, so short segments make a render fast: at 2.5 s a segment takes 8–11 s there
 * (docs/benchmarks.md, "Deploy bundles"); a shorter one is mostly starting, reading and preparing its photos, and
 * was no faster. On one machine the segments share its cores, where each cut only adds work.
 */
export const DEFAULT_SEGMENT_SECONDS = { ownInstances: 2.5, sharedCores: 20 };

/** Every segment is an invocation of its own on Netlify (Lambda); elsewhere the segments share this machine's cores. */
export const segmentsHaveInstances = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(env.AWS_LAMBDA_FUNCTION_NAME || env.NETLIFY);

/** How renders are split here: SIRTRAV_SEGMENTS_MAX and SIRTRAV_SEGMENT_SECONDS, or its default for this platform. */
export function segmentSettings(env: NodeJS.ProcessEnv = process.env): SegmentSettings {
  const config = getConfig(env);
  const fallback = segmentsHaveInstances(env)
    ? DEFAULT_SEGMENT_SECONDS.ownInstances
    : DEFAULT_SEGMENT_SECONDS.sharedCores;
  return { max: config.SIRTRAV_SEGMENTS_MAX, secondsPerSegment: config.SIRTRAV_SEGMENT_SECONDS ?? fallback };
}

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
  if (!context.origin) return null;
  const count = segmentCount(storyboard, segmentSettings());
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
