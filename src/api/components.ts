import type { z } from 'zod';
import { repairBodySchema, repairReportSchema } from '../repair/report.js';
import { archivedRunResponseSchema } from '../schemas/archive.js';
import { errorBodySchema } from '../schemas/error.js';
import { healthSchema } from '../schemas/health.js';
import {
  completeUploadResponseSchema,
  mediaListResponseSchema,
  mediaSchema,
  startUploadBodySchema,
  startUploadResponseSchema,
  uploadPartResponseSchema,
} from '../schemas/media.js';
import { evaluateBodySchema, evaluationSchema, memoryIndexSchema } from '../schemas/memory.js';
import {
  failureSearchResponseSchema,
  rebuildResponseSchema,
  resolutionBodySchema,
  resolutionResponseSchema,
  statsSchema,
} from '../schemas/operations.js';
import {
  completeImportBodySchema,
  exportDescriptorSchema,
  importPartResponseSchema,
  importProgressSchema,
  importResultSchema,
  startImportBodySchema,
  startImportResponseSchema,
} from '../schemas/portability.js';
import { openApiDocumentSchema } from '../schemas/openapi.js';
import { progressEventSchema, progressListSchema } from '../schemas/progress.js';
import { createProjectBodySchema, createProjectResponseSchema } from '../schemas/project.js';
import { cleanupBodySchema, cleanupReportSchema } from '../schemas/retention.js';
import {
  agentSchema,
  aspectSchema,
  cancelRunResponseSchema,
  completeOutputsSchema,
  outputsSchema,
  resolutionSchema,
  runErrorSchema,
  runLinksSchema,
  runListResponseSchema,
  runStateResponseSchema,
  runStatusSchema,
  runSummarySchema,
  startRunBodySchema,
  startRunResponseSchema,
  storyboardSchema,
  videoOutputSchema,
} from '../schemas/run.js';

/**
 * The schemas the OpenAPI document names under components/schemas, and so the type names SDK
 * generators give them. Each is referenced wherever it appears (a request or response body, or a
 * property of one). A body schema missing here is still named, after its operation
 * (`GetRunResponse`); a schema that reads differently as a request (defaults, transforms) gets a
 * second component, `…Input`. Renaming one breaks clients' code.
 */
export const COMPONENT_SCHEMAS: Record<string, z.ZodType> = {
  Error: errorBodySchema,
  Health: healthSchema,
  OpenApiDocument: openApiDocumentSchema,

  CreateProjectRequest: createProjectBodySchema,
  CreatedProject: createProjectResponseSchema,

  Media: mediaSchema,
  MediaList: mediaListResponseSchema,
  StartUploadRequest: startUploadBodySchema,
  UploadSession: startUploadResponseSchema,
  UploadedPart: uploadPartResponseSchema,
  CompletedUpload: completeUploadResponseSchema,

  StartRunRequest: startRunBodySchema,
  StartRunResponse: startRunResponseSchema,
  RunLinks: runLinksSchema,
  Agent: agentSchema,
  Resolution: resolutionSchema,
  Aspect: aspectSchema,
  Storyboard: storyboardSchema,
  RunStatus: runStatusSchema,
  RunError: runErrorSchema,
  VideoOutput: videoOutputSchema,
  RunOutputs: outputsSchema,
  CompleteRunOutputs: completeOutputsSchema,
  RunState: runStateResponseSchema,
  ArchivedRun: archivedRunResponseSchema,
  RunSummary: runSummarySchema,
  RunList: runListResponseSchema,
  CancelRunResponse: cancelRunResponseSchema,
  ProgressEvent: progressEventSchema,
  ProgressList: progressListSchema,

  RateRunRequest: evaluateBodySchema,
  Evaluation: evaluationSchema,
  MemoryIndex: memoryIndexSchema,

  ExportDescriptor: exportDescriptorSchema,
  StartImportRequest: startImportBodySchema,
  ImportSession: startImportResponseSchema,
  ImportedPart: importPartResponseSchema,
  CompleteImportRequest: completeImportBodySchema,
  ImportProgress: importProgressSchema,
  ImportResult: importResultSchema,

  CleanupRequest: cleanupBodySchema,
  CleanupReport: cleanupReportSchema,
  RepairRequest: repairBodySchema,
  RepairReport: repairReportSchema,
  Stats: statsSchema,
  FailureSearchResults: failureSearchResponseSchema,
  ResolveFailureRequest: resolutionBodySchema,
  FailureResolution: resolutionResponseSchema,
  FailureIndexRebuild: rebuildResponseSchema,
};
