import { z } from 'zod';
import type { Config } from '../../../config.js';
import { MOTIONS, motionSchema } from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { nearestPlace } from './places.js';
import type { DirectorInput, PlanOverrides } from './plan.js';

/** What the model must answer; anything else falls back to the local director. */
export const llmPlanSchema = z.object({
  order: z.array(z.number().int().nonnegative()).min(1),
  motions: z.array(motionSchema).optional(),
  theme: z.string().trim().min(1).max(80).optional(),
  narration: z.string().trim().min(1).max(600).optional(),
});

const SYSTEM_PROMPT =
  'You direct a short photo slideshow video. Reply with JSON only: {"order": [photo indices in the order to show them], ' +
  `"motions": [one of ${MOTIONS.join(', ')} per shown photo], "theme": short title, ` +
  '"narration": a warm spoken script of at most N words}. Use each index at most once.';

/** The request body sent to an OpenAI-compatible chat completions API. */
export function directorRequestBody(input: DirectorInput, model: string, maxWords: number) {
  return {
    model,
    temperature: 0.4,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: SYSTEM_PROMPT.replace('N words', `${maxWords} words`) },
      {
        role: 'user',
        content: JSON.stringify({
          theme: input.request.theme ?? null,
          mood: input.style.mood,
          durationSec: input.request.durationSec ?? null,
          photos: input.media.map((m, index) => ({
            index,
            takenAt: m.takenAt,
            place: m.gps ? nearestPlace(m.gps) : null,
            orientation: m.height > m.width ? 'portrait' : 'landscape',
          })),
        }),
      },
    ],
  };
}

/** Asks the model for order, motions, theme and narration; timing stays with the local planner. */
export async function planWithOpenAI(input: DirectorInput, config: Config, maxWords: number, signal?: AbortSignal): Promise<PlanOverrides> {
  const response = await fetch(`${config.OPENAI_BASE_URL.replace(/\/$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.OPENAI_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(directorRequestBody(input, config.OPENAI_MODEL, maxWords)),
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
  });
  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new PipelineError(response.status === 401 || response.status === 403 ? 'configuration' : retryable ? 'network' : 'input', 'llm_http_error', `LLM answered HTTP ${response.status}`, { retryable });
  }
  const body = (await response.json().catch(() => null)) as { choices?: Array<{ message?: { content?: string } }> } | null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body?.choices?.[0]?.message?.content ?? '');
  } catch {
    throw new PipelineError('input', 'llm_invalid_output', 'LLM reply is not JSON', { retryable: false });
  }
  const plan = llmPlanSchema.safeParse(parsed);
  if (!plan.success) throw new PipelineError('input', 'llm_invalid_output', `LLM reply has the wrong shape: ${plan.error.issues[0]?.message}`, { retryable: false });
  const order = plan.data.order.filter((i, at, all) => i < input.media.length && all.indexOf(i) === at);
  if (order.length === 0) throw new PipelineError('input', 'llm_invalid_output', 'LLM chose no valid photo', { retryable: false });
  return {
    order,
    ...(plan.data.motions ? { motions: plan.data.motions } : {}),
    ...(plan.data.theme && !input.request.theme ? { theme: plan.data.theme } : {}),
    ...(plan.data.narration ? { narration: plan.data.narration } : {}),
    provider: 'openai',
  };
}
