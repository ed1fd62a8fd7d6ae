import { getConfig } from '../../../config.js';
import type { Storyboard } from '../../../schemas/run.js';
import { withFallback, type ProviderOutcome } from '../../providers/fallback.js';
import { planWithOpenAI } from './openai.js';
import { defaultDuration, planStoryboard, type DirectorInput } from './storyboard-plan.js';

export { type DirectorInput } from './storyboard-plan.js';

/** Plans the storyboard with the LLM when a key is set, else (or when it fails) locally. */
export async function runDirector(
  input: DirectorInput,
  options: { signal?: AbortSignal; onRetry?: (message: string) => void } = {},
): Promise<ProviderOutcome<Storyboard>> {
  const config = getConfig();
  const durationSec = input.request.durationSec ?? input.style.durationSec ?? defaultDuration(input.media.length);
  const maxWords = Math.max(4, Math.floor((durationSec - 1.5) * 2.3));
  const cloud = config.OPENAI_API_KEY
    ? {
        name: 'openai',
        run: async () => planStoryboard(input, await planWithOpenAI(input, config, maxWords, options.signal)),
      }
    : null;
  return withFallback(
    cloud,
    { name: 'local', run: async () => planStoryboard(input) },
    {
      signal: options.signal,
      onRetry: (error, attempt) => options.onRetry?.(`director: ${error.message}; retry ${attempt}`),
    },
  );
}
