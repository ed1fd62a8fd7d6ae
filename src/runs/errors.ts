import { AppError } from '../errors.js';

/** 404 for a run the project does not have (or never had). */
export const runNotFound = (projectId: string, runId: string): AppError =>
  new AppError(404, 'run_not_found', `Run ${runId} does not exist in project ${projectId}.`);
