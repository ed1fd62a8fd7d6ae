/**
 * The one error type the HTTP edge understands. Domain errors extend it so each
 * carries its own status, a stable snake_case code, and whether retrying can help.
 */
export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  retryable?: boolean;
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly retryable: boolean;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    // Too many requests and server-side failures may pass; a bad request stays bad.
    this.retryable = options.retryable ?? (status >= 500 || status === 429);
    this.headers = options.headers ?? {};
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
