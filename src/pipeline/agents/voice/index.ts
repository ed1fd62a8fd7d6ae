import { getConfig, type Config } from '../../../config.js';
import type { Language } from '../../../schemas/language.js';
import { PipelineError } from '../../errors.js';
import { withFallback, type ProviderOutcome } from '../../providers/fallback.js';
import { fetchWithTimeout, providerHttpError } from '../../providers/http.js';
import { pcm16ToWav, wavDurationSec } from '../../../render/sound/wav.js';
import { espeak } from './espeak.js';

export interface Speech {
  wav: Uint8Array<ArrayBuffer>;
  durationSec: number;
}

function speech(wav: Uint8Array<ArrayBuffer>): Speech {
  const durationSec = wavDurationSec(wav);
  if (durationSec === null || durationSec <= 0)
    throw new PipelineError({
      errorClass: 'input',
      code: 'tts_invalid_audio',
      message: 'TTS returned audio that is not a PCM WAV',
      retryable: false,
    });
  return { wav, durationSec };
}

/** The espeak-ng voice of each language (the deployed bundle keeps these languages' dictionaries: netlify.toml). */
export const ESPEAK_VOICES: Record<Language, string> = {
  en: 'en-us',
  fr: 'fr',
  de: 'de',
  es: 'es',
  it: 'it',
  pt: 'pt',
  nl: 'nl',
};

/** espeak-ng compiled to wasm: offline, deterministic. The text is passed as a file, never as arguments or through a shell. */
export async function speakLocally(text: string, language: Language = 'en'): Promise<Speech> {
  // 175 wpm is the rate this voice has always spoken at: text2wav() dropped a numeric `speed` (it passed 150 as an
  // empty argument), so espeak-ng's default applied.
  const wav = await espeak(text, { voice: ESPEAK_VOICES[language], speed: 175 });
  return speech(new Uint8Array(wav));
}

const TTS_TIMEOUT_MS = 60_000;

export async function speakWithOpenAI(text: string, config: Config, signal?: AbortSignal): Promise<Speech> {
  const url = `${config.OPENAI_BASE_URL.replace(/\/$/, '')}/audio/speech`;
  const response = await fetchWithTimeout(
    url,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${config.OPENAI_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: text, response_format: 'wav' }),
    },
    TTS_TIMEOUT_MS,
    signal,
  );
  if (!response.ok) throw providerHttpError(response, 'OpenAI TTS', 'tts_http_error');
  return speech(new Uint8Array(await response.arrayBuffer()));
}

const ELEVENLABS_VOICE = '21m00Tcm4TlvDq8ikWAM';

export async function speakWithElevenLabs(text: string, config: Config, signal?: AbortSignal): Promise<Speech> {
  const base = config.ELEVENLABS_BASE_URL.replace(/\/$/, '');
  const response = await fetchWithTimeout(
    `${base}/v1/text-to-speech/${ELEVENLABS_VOICE}?output_format=pcm_22050`,
    {
      method: 'POST',
      headers: { 'xi-api-key': config.ELEVENLABS_API_KEY!, 'content-type': 'application/json', accept: 'audio/pcm' },
      body: JSON.stringify({ text, model_id: 'eleven_multilingual_v2' }),
    },
    TTS_TIMEOUT_MS,
    signal,
  );
  if (!response.ok) throw providerHttpError(response, 'ElevenLabs TTS', 'tts_http_error');
  return speech(pcm16ToWav(new Uint8Array(await response.arrayBuffer()), 22050));
}

/** Speaks the narration with a cloud voice when a key is set (they speak the language of the text), else (or when it fails) locally. */
export async function runVoice(
  text: string,
  options: { signal?: AbortSignal; onRetry?: (message: string) => void; language?: Language } = {},
): Promise<ProviderOutcome<Speech>> {
  const config = getConfig();
  const cloud = config.ELEVENLABS_API_KEY
    ? { name: 'elevenlabs', run: () => speakWithElevenLabs(text, config, options.signal) }
    : config.OPENAI_API_KEY
      ? { name: 'openai', run: () => speakWithOpenAI(text, config, options.signal) }
      : null;
  return withFallback(
    cloud,
    { name: 'local', run: () => speakLocally(text, options.language) },
    {
      signal: options.signal,
      onRetry: (error, attempt) => options.onRetry?.(`voice: ${error.message}; retry ${attempt}`),
    },
  );
}
