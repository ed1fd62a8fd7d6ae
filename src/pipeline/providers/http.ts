import { PipelineError } from '../errors.js';

/**
 * A cloud provider's request: it ends at `timeoutMs` or when the run is
 * cancelled, whichever comes first.
 */
export function fetchWithTimeout(
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  return fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
}

/**
 * What a provider's HTTP error status means for the run: a refused key is
 * configuration (a person must fix it), rate limits and server errors may pass
 * (retryable), anything else is the request's fault.
 */
export function providerHttpError(response: Response, provider: string, code: string): PipelineError {
  const retryable = response.status === 429 || response.status >= 500;
  const errorClass =
    response.status === 401 || response.status === 403 ? 'configuration' : retryable ? 'network' : 'input';
  return new PipelineError({
    errorClass: errorClass,
    code,
    message: `${provider} answered HTTP ${response.status}`,
    retryable,
  });
}
