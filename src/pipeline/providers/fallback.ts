import { log } from '../../log.js';
import { classifyError, type PipelineError } from '../errors.js';

export interface ProviderOutcome<T> {
  value: T;
  provider: string;
  /** Set when the primary provider failed and the local one was used. */
  fallbackReason?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a cloud provider with retries (exponential backoff, retryable errors
 * only), then falls back to the local provider, saying why.
 */
export async function withFallback<T>(
  primary: { name: string; run: () => Promise<T> } | null,
  local: { name: string; run: () => Promise<T> },
  options: { attempts?: number; baseDelayMs?: number; onRetry?: (error: PipelineError, attempt: number) => void } = {},
): Promise<ProviderOutcome<T>> {
  if (!primary) return { value: await local.run(), provider: local.name };
  const attempts = options.attempts ?? 3;
  let last: PipelineError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return { value: await primary.run(), provider: primary.name };
    } catch (error) {
      last = classifyError(error);
      log.warn('provider failed', { provider: primary.name, attempt, errorClass: last.errorClass, message: last.message });
      if (!last.retryable || attempt === attempts) break;
      options.onRetry?.(last, attempt);
      await sleep((options.baseDelayMs ?? 250) * 2 ** (attempt - 1));
    }
  }
  const reason = `${primary.name} failed (${last?.errorClass ?? 'internal'}: ${last?.message ?? 'unknown'})`;
  return { value: await local.run(), provider: local.name, fallbackReason: reason };
}
