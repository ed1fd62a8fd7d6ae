import type { Config } from '../config.js';
import { errorFields, log } from '../log.js';
import { heuristicReflection, preconditionsOf } from './heuristics.js';
import { llmReflectionSchema, type FailureFacts, type Reflection } from './reflection.js';

const SYSTEM_PROMPT =
  'You review failures of a service that renders photo slideshows into narrated MP4s (director, voice, music, compose with ffmpeg). ' +
  'Reply with JSON only: {"rootCause": {"text", "confidence"}, "resolutionStrategy": {"text", "confidence"}, "prevention": {"text", "confidence"}}, ' +
  'each text one or two sentences a operator can act on, each confidence from 0 to 1.';

/** The request body sent to an OpenAI-compatible chat completions API; what it may see of the failure, and no more. */
export function reflectionRequestBody(facts: FailureFacts, model: string) {
  return {
    model,
    temperature: 0.2,
    response_format: { type: 'json_object' },
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      {
        role: 'user',
        content: JSON.stringify({
          errorClass: facts.errorClass,
          code: facts.code,
          step: facts.step,
          message: facts.message.slice(0, 500),
          providers: facts.providers,
        }),
      },
    ],
  };
}

/** Asks the model; throws on anything but a well-formed answer. */
async function askModel(facts: FailureFacts, config: Config): Promise<Reflection> {
  const response = await fetch(`${config.OPENAI_BASE_URL.replace(/\/$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.OPENAI_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(reflectionRequestBody(facts, config.OPENAI_MODEL)),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`reflection model answered HTTP ${response.status}`);
  const body = (await response.json()) as { choices?: Array<{ message?: { content?: string } }> };
  const parsed = llmReflectionSchema.parse(JSON.parse(body.choices?.[0]?.message?.content ?? 'null'));
  return { source: 'llm', ...parsed, preconditions: preconditionsOf(facts), resolutions: [] };
}

/** The model's reflection when a key is set and it answers well; the heuristic one otherwise. */
export async function reflectOnFailure(facts: FailureFacts, config: Config): Promise<Reflection> {
  if (!config.OPENAI_API_KEY) return heuristicReflection(facts);
  try {
    return await askModel(facts, config);
  } catch (error) {
    log.warn('reflection model unusable; using the heuristic', errorFields(error));
    return heuristicReflection(facts);
  }
}
