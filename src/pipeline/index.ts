/**
 * What other folders, scripts and tests use of the pipeline. It reaches the
 * renderer and the photo modules: scheduled functions import watchdog.ts on
 * its own instead.
 */
export { runPipeline } from './orchestrator.js';
export { runPipelineProcess, runSegmentProcess, servePipelineProcess } from './pipeline-process.js';
export { runWatchdog } from './watchdog.js';
export { classifyError, ERROR_RULES, PipelineError, type ErrorClass } from './errors.js';
export { recordFailure } from './failures.js';
export { leaseDoc, readLease } from './lease.js';
export { settleRun } from './settle.js';
export { withFallback } from './providers/fallback.js';
export { planSegments, segmentCount } from './segments/plan.js';
export { segmentSettings } from './segments/decide.js';
export {
  readSegmentPlan,
  readSegmentStatus,
  segmentPlanDoc,
  segmentStatusDoc,
  viewSegment,
} from './segments/status.js';
