import { z } from 'zod';
import type { Config } from '../../../config.js';
import { MOTIONS, motionSchema } from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { fetchWithTimeout, providerHttpError } from '../../providers/http.js';
import { placeIn } from './chapters.js';
import { lookupPlace, placeLabel } from './places.js';
import { languageOf, type DirectorInput, type PlanOverrides } from './storyboard-plan.js';

/** What the model must answer; anything else falls back to the local director. */
export const llmPlanSchema = z.object({
  order: z.array(z.number().int().nonnegative()).min(1),
  motions: z.array(motionSchema).optional(),
  theme: z.string().trim().min(1).max(80).optional(),
  narration: z.string().trim().min(1).max(600).optional(),
  /** Narration as lines tied to photos; each is checked against its scene's time by the planner. */
  lines: z
    .array(z.object({ photo: z.number().int().nonnegative(), text: z.string().trim().min(1).max(200) }))
    .max(60)
    .optional(),
});

const SYSTEM_PROMPT =
  'You direct a short photo slideshow video. Reply with JSON only: {"order": [photo indices in the order to show them], ' +
  `"motions": [one of ${MOTIONS.join(', ')} per shown photo], "theme": short title, ` +
  '"lines": [{"photo": index, "text": one spoken sentence}]}. Use each index at most once. The narration is told as ' +
  'lines, each said while its photo shows: give a line only where a new place or day begins, name places and days ' +
  'the way a person telling a trip would ("Two days later, Ushuaia, at the end of the world."), never repeat a wording, ' +
  'write whole sentences of at most 12 words, and at most N words in all. Write the theme and every line in LANGUAGE; ' +
  'say places by the names given.';

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** The request body sent to an OpenAI-compatible chat completions API. */
export function directorRequestBody(input: DirectorInput, model: string, maxWords: number) {
  const language = languageOf(input.request);
  const system = SYSTEM_PROMPT.replace('N words', `${maxWords} words`).replace(
    'LANGUAGE',
    languageNames.of(language) ?? language,
  );
  const placeOf = (gps: NonNullable<DirectorInput['media'][number]['gps']>) => {
    const place = lookupPlace(gps);
    return place ? placeLabel(placeIn(place, language)) : null;
  };
  return {
    model,
    temperature: 0.4,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: system },
      {
        role: 'user',
        content: JSON.stringify({
          theme: input.request.theme ?? null,
          mood: input.style.mood,
          durationSec: input.request.durationSec ?? null,
          language,
          photos: input.media.map((m, index) => ({
            index,
            takenAt: m.takenAt,
            place: m.gps ? placeOf(m.gps) : null,
            orientation: m.height > m.width ? 'portrait' : 'landscape',
          })),
        }),
      },
    ],
  };
}

/** Asks the model for order, motions, theme and narration; timing stays with the local planner. */
export async function planWithOpenAI(
  input: DirectorInput,
  config: Config,
  maxWords: number,
  signal?: AbortSignal,
): Promise<PlanOverrides> {
  const response = await fetchWithTimeout(
    `${config.OPENAI_BASE_URL.replace(/\/$/, '')}/chat/completions`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${config.OPENAI_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(directorRequestBody(input, config.OPENAI_MODEL, maxWords)),
    },
    30_000,
    signal,
  );
  if (!response.ok) throw providerHttpError(response, 'LLM', 'llm_http_error');
  const body = (await response.json().catch(() => null)) as {
    choices?: Array<{ message?: { content?: string } }>;
  } | null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body?.choices?.[0]?.message?.content ?? '');
  } catch {
    throw new PipelineError({
      errorClass: 'input',
      code: 'llm_invalid_output',
      message: 'LLM reply is not JSON',
      retryable: false,
    });
  }
  const plan = llmPlanSchema.safeParse(parsed);
  if (!plan.success)
    throw new PipelineError({
      errorClass: 'input',
      code: 'llm_invalid_output',
      message: `LLM reply has the wrong shape: ${plan.error.issues[0]?.message}`,
      retryable: false,
    });
  const order = plan.data.order.filter((i, at, all) => i < input.media.length && all.indexOf(i) === at);
  if (order.length === 0)
    throw new PipelineError({
      errorClass: 'input',
      code: 'llm_invalid_output',
      message: 'LLM chose no valid photo',
      retryable: false,
    });
  return {
    order,
    ...(plan.data.motions ? { motions: plan.data.motions } : {}),
    ...(plan.data.theme && !input.request.theme ? { theme: plan.data.theme } : {}),
    ...(plan.data.narration ? { narration: plan.data.narration } : {}),
    ...(plan.data.lines ? { lines: plan.data.lines.filter((line) => line.photo < input.media.length) } : {}),
    provider: 'openai',
  };
}
