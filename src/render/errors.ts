import type { ErrorClass, Severity } from '../schemas/error.js';

export interface FailureFacts {
  errorClass: ErrorClass;
  code: string;
  message: string;
  /** By default, a network or timeout failure is worth another try and nothing else is. */
  retryable?: boolean;
  severity?: Severity;
  cause?: unknown;
  /** The tail of a tool's own output, kept for the failure record. */
  trace?: string;
}

/**
 * A failure that knows its class, how bad it is, and whether trying again can
 * help. Rendering raises it; the pipeline's PipelineError is one too.
 */
export class RenderError extends Error {
  readonly code: string;
  readonly errorClass: ErrorClass;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly trace?: string;

  constructor(facts: FailureFacts) {
    super(facts.message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = 'RenderError';
    this.code = facts.code;
    this.errorClass = facts.errorClass;
    this.severity = facts.severity ?? 'high';
    this.retryable = facts.retryable ?? (facts.errorClass === 'network' || facts.errorClass === 'timeout');
    if (facts.trace !== undefined) this.trace = facts.trace;
  }
}

/** Raised when a render's signal aborted while it was working. */
export class RenderCancelledError extends Error {
  constructor(message = 'The render was cancelled.') {
    super(message);
    this.name = 'RenderCancelledError';
  }
}
