import {
  segmentPlanSchema,
  segmentStatusSchema,
  type SegmentPlan,
  type SegmentStatus,
} from '../../schemas/segments.js';
import { defineDocument, keys, readJSON, updateJSON, UNCHANGED, type Id } from '../../storage/index.js';
import { leaseIsLive, readLeaseAt } from '../lease.js';

export const segmentPlanDoc = defineDocument({ name: 'segment-plan', version: 1, schema: segmentPlanSchema });
export const segmentStatusDoc = defineDocument({ name: 'segment-status', version: 1, schema: segmentStatusSchema });

export async function readSegmentPlan(projectId: Id, runId: Id): Promise<SegmentPlan | null> {
  return (await readJSON(keys.segmentPlan(projectId, runId), segmentPlanDoc))?.value ?? null;
}

export async function readSegmentStatus(projectId: Id, runId: Id, index: number): Promise<SegmentStatus | null> {
  return (await readJSON(keys.segmentStatus(projectId, runId, index), segmentStatusDoc))?.value ?? null;
}

/** Changes a segment's status (compare-and-swap; only the invocation holding the segment's lease calls it). */
export async function changeSegmentStatus(
  projectId: Id,
  runId: Id,
  index: number,
  change: (current: SegmentStatus | null) => Omit<SegmentStatus, 'updatedAt'> | typeof UNCHANGED,
): Promise<void> {
  await updateJSON(keys.segmentStatus(projectId, runId, index), segmentStatusDoc, (current) => {
    const next = change(current);
    return next === UNCHANGED ? UNCHANGED : { ...next, updatedAt: Date.now() };
  });
}

/** A segment as its coordinator sees it: what it reported, and whether an invocation holds it now. */
export interface SegmentView {
  status: SegmentStatus | null;
  live: boolean;
}

export async function viewSegment(projectId: Id, runId: Id, index: number): Promise<SegmentView> {
  const [status, lease] = await Promise.all([
    readSegmentStatus(projectId, runId, index),
    readLeaseAt(keys.segmentLease(projectId, runId, index)),
  ]);
  return { status, live: leaseIsLive(lease) };
}
