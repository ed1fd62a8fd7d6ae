import { AppError } from '../errors.js';
import type { ErrorClass, Severity } from '../schemas/error.js';
import { CorruptBlobError } from '../storage/index.js';
import { RenderCancelledError, RenderError, type FailureFacts } from '../render/errors.js';

export type { ErrorClass };
export { RenderCancelledError, RenderError };

/**
 * A pipeline failure that knows its class, how bad it is, and whether trying
 * again can help. It never reaches an HTTP response, so it carries no status.
 */
export class PipelineError extends RenderError {
  constructor(facts: FailureFacts) {
    super(facts);
    this.name = 'PipelineError';
  }
}

/** Raised when the run was cancelled while a step was working. */
export class RunCancelledError extends RenderCancelledError {
  constructor() {
    super('The run was cancelled.');
    this.name = 'RunCancelledError';
  }
}

/** No ffmpeg to render with: a retry cannot help. */
export const ffmpegMissing = (): PipelineError =>
  new PipelineError({
    errorClass: 'configuration',
    code: 'ffmpeg_missing',
    message: 'No ffmpeg found: set FFMPEG_PATH or install ffmpeg.',
    retryable: false,
    severity: 'critical',
  });

/** What classification looks at: the error's own or its cause's code, name and syscall (never its message). */
export interface ErrorFacts {
  code: string;
  name: string;
  syscall: string;
}

interface Rule {
  /** Why this row exists, for the reader and the test of the row. */
  when: string;
  matches: (facts: ErrorFacts) => boolean;
  errorClass: ErrorClass;
  code: string;
  retryable: boolean;
  severity: Severity;
}

const codeIn =
  (...codes: string[]) =>
  (facts: ErrorFacts) =>
    codes.includes(facts.code);

/** The one table of what a low-level error means for a run; the first matching row wins. */
export const ERROR_RULES: readonly Rule[] = [
  {
    when: 'a tool (ffmpeg) could not be started',
    matches: (f) => f.code === 'ENOENT' && f.syscall.startsWith('spawn'),
    errorClass: 'configuration',
    code: 'tool_missing',
    retryable: false,
    severity: 'critical',
  },
  {
    when: 'the network dropped or refused the connection',
    matches: codeIn(
      'ECONNRESET',
      'ECONNREFUSED',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EPIPE',
      'UND_ERR_SOCKET',
      'UND_ERR_CONNECT_TIMEOUT',
    ),
    errorClass: 'network',
    code: 'network_error',
    retryable: true,
    severity: 'medium',
  },
  {
    when: 'memory, disk or file handles ran out',
    matches: codeIn('ENOMEM', 'ENOSPC', 'EMFILE', 'ENFILE'),
    errorClass: 'resource',
    code: 'resource_exhausted',
    retryable: true,
    severity: 'critical',
  },
  {
    when: 'a request or a step took too long',
    matches: (f) => f.name === 'TimeoutError' || f.code === 'ETIMEDOUT',
    errorClass: 'timeout',
    code: 'timeout',
    retryable: true,
    severity: 'medium',
  },
];

function factsOf(error: unknown): ErrorFacts {
  const field = (value: unknown, key: string): string => {
    const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return typeof found === 'string' ? found : '';
  };
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  // undici wraps socket errors as TypeError("fetch failed") with the real code on `cause`.
  return {
    code: field(error, 'code') || field(cause, 'code'),
    name: field(error, 'name'),
    syscall: field(error, 'syscall') || field(cause, 'syscall'),
  };
}

/** Sorts any error into a class with a severity and whether a retry can help. */
export function classifyError(error: unknown): PipelineError {
  // Rendering's own failures are classified where they are raised.
  if (error instanceof RenderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CorruptBlobError)
    return new PipelineError({ errorClass: 'input', code: 'corrupt_input', message, retryable: false, cause: error });
  if (error instanceof AppError && error.status < 500)
    return new PipelineError({
      errorClass: 'input',
      code: error.code,
      message,
      retryable: false,
      severity: 'medium',
      cause: error,
    });
  const facts = factsOf(error);
  const rule = ERROR_RULES.find((candidate) => candidate.matches(facts));
  if (rule)
    return new PipelineError({
      errorClass: rule.errorClass,
      code: rule.code,
      message,
      retryable: rule.retryable,
      severity: rule.severity,
      cause: error,
    });
  if (error instanceof AppError && error.retryable)
    return new PipelineError({
      errorClass: 'network',
      code: error.code,
      message,
      retryable: true,
      severity: 'medium',
      cause: error,
    });
  return new PipelineError({
    errorClass: 'internal',
    code: 'internal_error',
    message,
    retryable: false,
    severity: 'high',
    cause: error,
  });
}
