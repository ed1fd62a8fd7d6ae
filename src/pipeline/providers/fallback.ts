import { log } from '../../log.js';
import { retry } from '../../retry.js';
import { classifyError, type PipelineError } from '../errors.js';

export interface ProviderOutcome<T> {
  value: T;
  provider: string;
  /** Set when the primary provider failed and the local one was used. */
  fallbackReason?: string;
}

export interface FallbackOptions {
  attempts?: number;
  baseDelayMs?: number;
  /** A cancelled run: stops the retries and their backoff at once, and skips the fallback. */
  signal?: AbortSignal;
  onRetry?: (error: PipelineError, attempt: number) => void;
}

/**
 * Runs a cloud provider with retries (exponential backoff, retryable errors
 * only), then falls back to the local provider, saying why.
 */
export async function withFallback<T>(
  primary: { name: string; run: () => Promise<T> } | null,
  local: { name: string; run: () => Promise<T> },
  options: FallbackOptions = {},
): Promise<ProviderOutcome<T>> {
  if (!primary) return { value: await local.run(), provider: local.name };
  try {
    const value = await retry(() => primary.run(), {
      attempts: options.attempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 250,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: (error, attempt) => {
        const classified = classifyError(error);
        log.warn('provider failed', {
          provider: primary.name,
          attempt,
          errorClass: classified.errorClass,
          message: classified.message,
        });
        return classified.retryable;
      },
      onRetry: (error, attempt) => options.onRetry?.(classifyError(error), attempt),
    });
    return { value, provider: primary.name };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const last = classifyError(error);
    const reason = `${primary.name} failed (${last.errorClass}: ${last.message})`;
    return { value: await local.run(), provider: local.name, fallbackReason: reason };
  }
}
