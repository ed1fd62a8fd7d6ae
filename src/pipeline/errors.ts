import { AppError } from '../errors.js';
import { CorruptBlobError } from '../storage/index.js';

import type { ErrorClass, Severity } from '../schemas/error.js';

export type { ErrorClass, Severity };

/** A pipeline failure that knows its class, how bad it is, and whether trying again can help. */
export class PipelineError extends AppError {
  readonly errorClass: ErrorClass;
  readonly severity: Severity;

  constructor(errorClass: ErrorClass, code: string, message: string, options: { retryable?: boolean; severity?: Severity; cause?: unknown } = {}) {
    super(500, code, message, { retryable: options.retryable ?? (errorClass === 'network' || errorClass === 'timeout'), cause: options.cause });
    this.name = 'PipelineError';
    this.errorClass = errorClass;
    this.severity = options.severity ?? 'high';
  }
}

/** Raised when the run was cancelled while a step was working. */
export class RunCancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'RunCancelledError';
  }
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const RESOURCE_CODES = new Set(['ENOMEM', 'ENOSPC', 'EMFILE', 'ENFILE']);

/** Sorts any error into a class with a severity and whether a retry can help. */
export function classifyError(error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  const causeCode = ((error as { cause?: { code?: unknown } })?.cause)?.code;
  const anyCode = typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : '';
  if (error instanceof CorruptBlobError) return new PipelineError('input', 'corrupt_input', message, { retryable: false, cause: error });
  if (error instanceof AppError && error.status < 500) return new PipelineError('input', error.code, message, { retryable: false, severity: 'medium', cause: error });
  if (anyCode === 'ENOENT' && /spawn/.test(message)) return new PipelineError('configuration', 'tool_missing', message, { retryable: false, severity: 'critical', cause: error });
  if (NETWORK_CODES.has(anyCode) || /fetch failed|network|socket hang up/i.test(message)) return new PipelineError('network', 'network_error', message, { retryable: true, severity: 'medium', cause: error });
  if (RESOURCE_CODES.has(anyCode) || /out of memory|no space left/i.test(message)) return new PipelineError('resource', 'resource_exhausted', message, { retryable: true, severity: 'critical', cause: error });
  if ((error as { name?: string })?.name === 'TimeoutError' || anyCode === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return new PipelineError('timeout', 'timeout', message, { retryable: true, severity: 'medium', cause: error });
  }
  if (error instanceof AppError && error.retryable) return new PipelineError('network', error.code, message, { retryable: true, severity: 'medium', cause: error });
  return new PipelineError('internal', 'internal_error', message, { retryable: false, severity: 'high', cause: error });
}
