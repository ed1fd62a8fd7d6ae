import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first wait; each next one doubles. */
  baseDelayMs: number;
  /** Stops the waiting and the trying: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Whether this error is worth another try; false ends at once with it. */
  shouldRetry: (error: unknown, attempt: number) => boolean;
  /** Told before each wait. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `task` until it succeeds, its error is not worth retrying, or the tries run out (exponential backoff). */
export async function retry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await task(attempt);
    } catch (error) {
      if (options.signal?.aborted || !options.shouldRetry(error, attempt) || attempt >= options.attempts) throw error;
      options.onRetry?.(error, attempt);
      await sleep(options.baseDelayMs * 2 ** (attempt - 1), undefined, { signal: options.signal }).catch(
        (wait: unknown) => {
          // The signal's reason rather than node's AbortError: a cancelled run's backoff ends with what cancelled it.
          options.signal?.throwIfAborted();
          throw wait;
        },
      );
    }
  }
}
