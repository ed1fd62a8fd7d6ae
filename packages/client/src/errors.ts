import { errorBodySchema } from '../../../src/schemas/error.js';
import type { RunError, RunState } from '../../../src/schemas/run.js';

/** An API error, as the API shapes it: status, code, message, details, the request id, and whether a retry can help. */
export class SirTravApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'SirTravApiError';
  }
}

/** The error a failed response stands for, read with the service's own error schema. */
export async function apiError(response: Response): Promise<SirTravApiError> {
  const parsed = errorBodySchema.safeParse(await response.json().catch(() => null));
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (!parsed.success)
    return new SirTravApiError(
      response.status,
      'http_error',
      `HTTP ${response.status}`,
      undefined,
      requestId,
      response.status >= 500 || response.status === 429,
    );
  const { code, message, details, retryable } = parsed.data.error;
  return new SirTravApiError(
    response.status,
    code,
    message,
    details,
    parsed.data.error.requestId ?? requestId,
    retryable ?? false,
  );
}

/** A progress stream that cannot be followed: refused, or broken more often than allowed. */
export class ProgressStreamError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ProgressStreamError';
  }
}

/** A run that ended without a video: it failed (`run.error` says why, and whether a new run may succeed) or was cancelled. */
export class RunFailedError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(readonly run: Extract<RunState, { status: 'failed' | 'cancelled' }>) {
    const error: Pick<RunError, 'code' | 'message' | 'retryable'> =
      run.status === 'failed'
        ? run.error
        : { code: 'run_cancelled', message: 'The run was cancelled.', retryable: true };
    super(`Run ${run.runId} ${run.status}: ${error.message}`);
    this.name = 'RunFailedError';
    this.code = error.code;
    this.retryable = error.retryable;
  }
}

/** A webhook whose signature, timestamp or body cannot be trusted: answer it with a 4xx and do nothing else. */
export class WebhookVerificationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebhookVerificationError';
  }
}
