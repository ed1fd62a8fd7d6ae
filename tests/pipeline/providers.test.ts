import { afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { startMockCloud } from '../helpers/mock-cloud.js';
import { useLocalServer } from '../helpers/server.js';
import { encodeWav } from '../../src/render/sound/wav.js';

const server = useLocalServer();
afterEach(() => vi.unstubAllEnvs());

async function run(api: (path: string) => string, body: object) {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { links } = (await response.json()) as { links: { self: string; progress: string } };
  const events: ProgressEvent[] = [];
  const final = await followProgress(links.progress, { onEvent: (e) => events.push(e) });
  return { final: final as RunState, events };
}

describe('cloud providers', () => {
  it('a cloud director and voice answering 500 are retried, then the local ones are used, and the run says so', async () => {
    const cloud = await startMockCloud(() => ({ status: 500, body: '{"error":{"message":"upstream failure"}}' }));
    vi.stubEnv('OPENAI_API_KEY', 'sk-test-key');
    vi.stubEnv('OPENAI_BASE_URL', `${cloud.url}/v1`);
    try {
      const { api } = await createProjectOverHttp(server.current.url);
      await uploadPhotos(api, 3, 400);
      const { final, events } = await run(api, { durationSec: 6, resolution: '360p', theme: 'Lisbon' });
      expect(final.status).toBe('complete');
      expect(final.providers?.director).toMatch(
        /^local \(fallback: openai failed \(network: LLM answered HTTP 500\)\)$/,
      );
      expect(final.providers?.voice).toMatch(
        /^local \(fallback: openai failed \(network: OpenAI TTS answered HTTP 500\)\)$/,
      );
      expect(final.storyboard?.provider).toBe('local');
      expect(
        events
          .filter((e) => e.status === 'fallback')
          .map((e) => e.agent)
          .sort(),
      ).toEqual(['director', 'voice']);
      expect(events.filter((e) => e.status === 'retrying' && e.agent === 'director')).toHaveLength(2);

      const chat = cloud.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(chat).toHaveLength(3);
      const [first] = chat;
      expect(first!.method).toBe('POST');
      expect(first!.headers.authorization).toBe('Bearer sk-test-key');
      expect(first!.headers['content-type']).toBe('application/json');
      const body = JSON.parse(first!.body) as {
        model: string;
        temperature: number;
        response_format: unknown;
        messages: Array<{ role: string; content: string }>;
      };
      expect(body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.4, response_format: { type: 'json_object' } });
      expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
      expect(JSON.parse(body.messages[1]!.content)).toEqual({
        theme: 'Lisbon',
        mood: 'calm',
        durationSec: 6,
        language: 'en',
        photos: [0, 1, 2].map((index) => ({
          index,
          takenAt: `2024-07-${10 + index}T1${index}:00:00+01:00`,
          place: 'Lisbon, Portugal',
          orientation: 'landscape',
        })),
      });

      const speech = cloud.requests.filter((r) => r.path === '/v1/audio/speech');
      expect(speech).toHaveLength(3);
      expect(speech[0]!.headers.authorization).toBe('Bearer sk-test-key');
      // The voice is settled on the first line; once it has fallen back, the other lines are spoken locally.
      expect(JSON.parse(speech[0]!.body)).toEqual({
        model: 'tts-1',
        voice: 'alloy',
        input: final.storyboard!.narration.segments![0]!.text,
        response_format: 'wav',
      });
    } finally {
      await cloud.close();
    }
  });

  it('a cloud director with a valid answer orders the shots, and a cloud voice speaks', async () => {
    const silence = encodeWav({ sampleRate: 22050, channels: [new Float32Array(22050 * 2)] });
    const cloud = await startMockCloud((request) =>
      request.path === '/v1/chat/completions'
        ? {
            status: 200,
            body: JSON.stringify({
              choices: [
                {
                  message: {
                    content: JSON.stringify({
                      order: [2, 0, 1],
                      motions: ['pan-left', 'pan-left', 'zoom-in'],
                      narration: 'Three days by the sea.',
                    }),
                  },
                },
              ],
            }),
          }
        : { status: 200, body: silence, type: 'audio/wav' },
    );
    vi.stubEnv('OPENAI_API_KEY', 'sk-test-key');
    vi.stubEnv('OPENAI_BASE_URL', `${cloud.url}/v1`);
    try {
      const { api } = await createProjectOverHttp(server.current.url);
      const media = await uploadPhotos(api, 3, 410);
      const { final } = await run(api, { durationSec: 6, resolution: '360p' });
      expect(final.status).toBe('complete');
      expect(final.providers).toMatchObject({ director: 'openai', voice: 'openai' });
      expect(final.storyboard!.shots.map((s) => s.mediaId)).toEqual([
        media[2]!.mediaId,
        media[0]!.mediaId,
        media[1]!.mediaId,
      ]);
      expect(final.storyboard!.shots.map((s) => s.motion)).toEqual(['pan-left', 'pan-left', 'zoom-in']);
      expect(final.storyboard!.narration.script).toBe('Three days by the sea.');
    } finally {
      await cloud.close();
    }
  });

  it('asks the cloud director for the run’s language, and keeps its lines in it', async () => {
    const silence = encodeWav({ sampleRate: 22050, channels: [new Float32Array(22050)] });
    const cloud = await startMockCloud((request) =>
      request.path === '/v1/chat/completions'
        ? {
            status: 200,
            body: JSON.stringify({
              choices: [{ message: { content: JSON.stringify({ order: [0, 1], theme: 'Trois jours à Lisbonne' }) } }],
            }),
          }
        : { status: 200, body: silence, type: 'audio/wav' },
    );
    vi.stubEnv('OPENAI_API_KEY', 'sk-test-key');
    vi.stubEnv('OPENAI_BASE_URL', `${cloud.url}/v1`);
    try {
      const { api } = await createProjectOverHttp(server.current.url);
      await uploadPhotos(api, 2, 430);
      const { final } = await run(api, { durationSec: 6, resolution: '360p', language: 'fr-CA' });
      expect(final.status).toBe('complete');
      expect(final.storyboard).toMatchObject({ language: 'fr', theme: 'Trois jours à Lisbonne', provider: 'openai' });
      const chat = cloud.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(chat).toHaveLength(1);
      expect(JSON.parse(chat[0]!.body)).toEqual({
        model: 'gpt-4o-mini',
        temperature: 0.4,
        response_format: { type: 'json_object' },
        messages: [
          {
            role: 'system',
            content:
              'You direct a short photo slideshow video. Reply with JSON only: {"order": [photo indices in the order ' +
              'to show them], "motions": [one of zoom-in, zoom-out, pan-left, pan-right, pan-up, pan-down per shown ' +
              'photo], "theme": short title, "lines": [{"photo": index, "text": one spoken sentence}]}. Use each index ' +
              'at most once. The narration is told as lines, each said while its photo shows: give a line only where a ' +
              'new place or day begins, name places and days the way a person telling a trip would ("Two days later, ' +
              'Ushuaia, at the end of the world."), never repeat a wording, write whole sentences of at most 12 words, ' +
              'and at most 10 words in all. Write the theme and every line in French; say places by the names given.',
          },
          {
            role: 'user',
            content: JSON.stringify({
              theme: null,
              mood: 'calm',
              durationSec: 6,
              language: 'fr',
              photos: [0, 1].map((index) => ({
                index,
                takenAt: `2024-07-${10 + index}T1${index}:00:00+01:00`,
                place: 'Lisbon, Portugal',
                orientation: 'landscape',
              })),
            }),
          },
        ],
      });
      // The model gave no lines: the local director's French ones are said.
      expect(final.storyboard!.narration.script).toMatch(/^Tout a commencé à Lisbon/);
    } finally {
      await cloud.close();
    }
  });

  it('a malformed director answer falls back at once, without retrying', async () => {
    const cloud = await startMockCloud(() => ({
      status: 200,
      body: JSON.stringify({ choices: [{ message: { content: '{"order": "all of them"}' } }] }),
    }));
    vi.stubEnv('OPENAI_API_KEY', 'sk-test-key');
    vi.stubEnv('OPENAI_BASE_URL', `${cloud.url}/v1`);
    try {
      const { api } = await createProjectOverHttp(server.current.url);
      await uploadPhotos(api, 2, 420);
      const { final } = await run(api, { durationSec: 5, resolution: '360p', narration: false });
      expect(final.status).toBe('complete');
      expect(final.providers?.director).toMatch(
        /^local \(fallback: openai failed \(input: LLM reply has the wrong shape/,
      );
      expect(cloud.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
      expect(cloud.requests.filter((r) => r.path === '/v1/audio/speech')).toHaveLength(0);
      expect(final.outputs?.voice).toBeNull();
    } finally {
      await cloud.close();
    }
  });
});
