import { afterEach, describe, expect, it, vi } from 'vitest';
import { heuristicReflection, ruleTableSchema, RULES } from '../../src/failures/heuristics.js';
import knownFailures from '../../src/failures/known-failures.json' with { type: 'json' };
import { issueProjectToken } from '../../src/http/auth.js';
import { reflectionRequestBody } from '../../src/failures/llm-reflection.js';
import { newId } from '../../src/new-id.js';
import { type ErrorClass, PipelineError, recordFailure } from '../../src/pipeline/index.js';
import { readFailure } from '../../src/failures/episodes.js';
import { createProject } from '../../src/projects/index.js';
import type { Agent } from '../../src/schemas/run.js';
import type { Id } from '../../src/storage/index.js';
import { startMockCloud } from '../helpers/mock-cloud.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
afterEach(() => vi.unstubAllEnvs());

const ADMIN = 'admin-token-for-failures';
const admin = { authorization: `Bearer ${ADMIN}` };
const withAuth = () => {
  vi.stubEnv('SIRTRAV_API_SECRET', 'secret-for-failures');
  vi.stubEnv('SIRTRAV_ADMIN_TOKEN', ADMIN);
};

async function fail(
  projectId: Id,
  step: Agent,
  errorClass: ErrorClass,
  code: string,
  message: string,
  toolChain: string[] = ['director:local', 'voice:local', 'music:local'],
) {
  const runId = newId('r');
  const error = new PipelineError({ errorClass: errorClass, code, message, retryable: false });
  const runError = await recordFailure({
    projectId,
    runId,
    step,
    error,
    toolChain,
    actionsTaken: [`${step}: started`],
  });
  return { runId, runError };
}

describe('failure reflections', () => {
  it('the heuristic maps class, code and step to a root cause, a resolution, prevention and preconditions', () => {
    const reflection = heuristicReflection({
      errorClass: 'configuration',
      code: 'ffmpeg_missing',
      step: 'compose',
      message: 'No ffmpeg',
      providers: { voice: 'local' },
      resolution: '720p',
      durationSec: 30,
    });
    expect(reflection.source).toBe('heuristic');
    expect(reflection.rootCause).toMatchObject({ confidence: 0.9 });
    expect(reflection.rootCause.text).toMatch(/ffmpeg/);
    expect(reflection.resolutionStrategy.text).toMatch(/FFMPEG_PATH/);
    expect(reflection.preconditions.tool).toEqual({ value: 'ffmpeg', confidence: 0.7 });
    expect(reflection.preconditions.resolution.value).toBe('720p');
    const network = heuristicReflection({
      errorClass: 'network',
      code: 'network_error',
      step: 'voice',
      message: 'fetch failed',
      providers: { voice: 'elevenlabs' },
      resolution: null,
      durationSec: null,
    });
    expect(network.rootCause.text).toMatch(/network/);
    expect(network.preconditions.provider).toEqual({ value: 'elevenlabs', confidence: 0.8 });
  });

  it('the table of known failures parses: every pattern compiles and every confidence is between 0 and 1', () => {
    expect(RULES).toHaveLength(knownFailures.length);
    expect(RULES.map((rule) => rule.when.source)).toEqual(knownFailures.map((row) => row.when));
    for (const rule of RULES) {
      expect(rule.when).toBeInstanceOf(RegExp);
      expect(rule.confidence).toBeGreaterThan(0);
      expect(rule.confidence).toBeLessThanOrEqual(1);
    }
    const row = knownFailures[0]!;
    expect(ruleTableSchema.safeParse([{ ...row, when: '(unclosed' }]).success).toBe(false);
    expect(ruleTableSchema.safeParse([{ ...row, confidence: 1.5 }]).success).toBe(false);
    expect(ruleTableSchema.safeParse([{ ...row, resolution: '' }]).success).toBe(false);
  });

  it('with a cloud key the model writes it (request pinned), and a bad answer falls back to the heuristic', async () => {
    const answer = {
      rootCause: { text: 'The TTS quota ran out.', confidence: 0.8 },
      resolutionStrategy: { text: 'Raise the quota.', confidence: 0.7 },
      prevention: { text: 'Alert at 80 % of quota.', confidence: 0.6 },
    };
    let reply = JSON.stringify({ choices: [{ message: { content: JSON.stringify(answer) } }] });
    const cloud = await startMockCloud(() => ({ status: 200, body: reply }));
    try {
      vi.stubEnv('OPENAI_API_KEY', 'sk-test');
      vi.stubEnv('OPENAI_BASE_URL', `${cloud.url}/v1`);
      vi.stubEnv('OPENAI_MODEL', 'gpt-test');
      const { projectId } = await createProject('llm');
      const { runId } = await fail(projectId, 'voice', 'network', 'llm_http_error', 'LLM answered HTTP 429', [
        'voice:openai',
      ]);
      expect(cloud.requests).toHaveLength(1);
      const [sent] = cloud.requests;
      expect(sent!.method).toBe('POST');
      expect(sent!.path).toBe('/v1/chat/completions');
      expect(sent!.headers.authorization).toBe('Bearer sk-test');
      expect(JSON.parse(sent!.body)).toEqual(
        reflectionRequestBody(
          {
            errorClass: 'network',
            code: 'llm_http_error',
            step: 'voice',
            message: 'LLM answered HTTP 429',
            providers: { voice: 'openai' },
            resolution: null,
            durationSec: null,
          },
          'gpt-test',
        ),
      );
      const episode = await readFailure(projectId, runId as Id);
      expect(episode!.reflection).toMatchObject({
        source: 'llm',
        rootCause: answer.rootCause,
        preconditions: { provider: { value: 'openai' } },
      });

      reply = JSON.stringify({ choices: [{ message: { content: '{"rootCause": "not the shape"}' } }] });
      const second = await fail(projectId, 'voice', 'network', 'llm_http_error', 'LLM answered HTTP 429', [
        'voice:openai',
      ]);
      expect((await readFailure(projectId, second.runId as Id))!.reflection!.source).toBe('heuristic');
    } finally {
      await cloud.close();
    }
  });
});

describe('failure memory across projects', () => {
  it('a resolution recorded on one failure comes first for a similar failure in another project', async () => {
    withAuth();
    const first = await createProject('one');
    const missing = 'No ffmpeg found: set FFMPEG_PATH or install ffmpeg.';
    const a = await fail(first.projectId, 'compose', 'configuration', 'ffmpeg_missing', missing);
    expect(a.runError.message).not.toContain('seen before');

    const url = `${server.current.url}/api/admin/failures/${a.runId}/resolution`;
    const body = JSON.stringify({ resolution: 'Installed Debian ffmpeg 5.1 and set FFMPEG_PATH=/usr/bin/ffmpeg' });
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(
      401,
    );
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...admin },
          body: '{"resolution": ""}',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await fetch(`${server.current.url}/api/admin/failures/r_nope/resolution`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...admin },
          body,
        })
      ).status,
    ).toBe(404);
    const recorded = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...admin },
      body,
    });
    expect(recorded.status).toBe(200);
    expect(await recorded.json()).toMatchObject({
      runId: a.runId,
      projectId: first.projectId,
      resolution: 'Installed Debian ffmpeg 5.1 and set FFMPEG_PATH=/usr/bin/ffmpeg',
    });

    const second = await createProject('two');
    await fail(
      second.projectId,
      'voice',
      'network',
      'network_error',
      'fetch failed: ECONNRESET talking to the TTS provider',
    );
    const b = await fail(second.projectId, 'compose', 'configuration', 'ffmpeg_missing', missing);
    expect(b.runError.message).toContain('seen before: Installed Debian ffmpeg 5.1');
    const episode = await readFailure(second.projectId, b.runId as Id);
    expect(episode!.reflection!.resolutions[0]).toMatchObject({
      source: 'seen-before',
      runId: a.runId,
      projectId: first.projectId,
      text: 'Installed Debian ffmpeg 5.1 and set FFMPEG_PATH=/usr/bin/ffmpeg',
    });

    const search = await fetch(
      `${server.current.url}/api/admin/failures?q=${encodeURIComponent('ffmpeg missing FFMPEG_PATH')}&limit=5`,
      { headers: admin },
    );
    expect(search.status).toBe(200);
    const { results } = (await search.json()) as {
      results: Array<{
        episode: { runId: string };
        reflection: { resolutions: Array<{ text: string; source: string }> };
        score: number;
      }>;
    };
    const hit = results.find((result) => result.episode.runId === a.runId)!;
    expect(hit.reflection.resolutions[0]).toMatchObject({
      source: 'operator',
      text: 'Installed Debian ffmpeg 5.1 and set FFMPEG_PATH=/usr/bin/ffmpeg',
    });
    expect(
      results
        .slice(0, 2)
        .map((r) => r.episode.runId)
        .sort(),
    ).toEqual([a.runId, b.runId].sort());
  });

  it('search ranks a planted near-twin above unrelated episodes, and a rebuild from the episodes ranks the same', async () => {
    withAuth();
    const { projectId } = await createProject('search');
    const unrelated: Array<[Agent, ErrorClass, string, string]> = [
      ['voice', 'network', 'network_error', 'fetch failed: ECONNRESET talking to api.elevenlabs.io'],
      ['director', 'network', 'llm_http_error', 'LLM answered HTTP 429 Too Many Requests'],
      ['director', 'input', 'no_media', 'The run has no photos to use.'],
      ['music', 'internal', 'internal_error', 'Cannot read properties of undefined (reading "bpm")'],
      ['compose', 'timeout', 'timeout', 'ffmpeg timed out after 900000 ms while encoding'],
      ['compose', 'input', 'corrupt_input', 'sirtrav-media/projects/p/media/m1: content does not match its SHA-256'],
      ['voice', 'configuration', 'tool_missing', 'spawn espeak-ng ENOENT'],
      [
        'compose',
        'resource',
        'resource_exhausted',
        'Cannot allocate memory: out of memory while scaling 4000x3000 photos',
      ],
    ];
    for (const [step, errorClass, code, message] of unrelated) await fail(projectId, step, errorClass, code, message);
    const twin = await fail(
      projectId,
      'compose',
      'resource',
      'resource_exhausted',
      'ENOSPC: no space left on device, write /tmp/sirtrav-k3j2/frame-0042.png',
    );

    const query = `${server.current.url}/api/admin/failures?q=${encodeURIComponent('no space left on device writing /tmp/sirtrav-zz81/frame-0107.png')}&step=compose`;
    const ranked = async () =>
      (
        (await (await fetch(query, { headers: admin })).json()) as {
          results: Array<{ episode: { runId: string }; score: number }>;
        }
      ).results;
    const before = await ranked();
    expect(before[0]!.episode.runId).toBe(twin.runId);
    expect(before[0]!.score).toBeGreaterThan(before[1]!.score + 0.1);

    expect(
      (await fetch(`${server.current.url}/api/admin/failures/rebuild`, { method: 'POST', headers: admin })).status,
    ).toBe(200);
    const after = await ranked();
    expect(after[0]!.episode.runId).toBe(twin.runId);
    expect(after.map((r) => r.episode.runId)).toEqual(before.map((r) => r.episode.runId));
    expect((await fetch(query, { headers: { authorization: 'Bearer stp.x.y' } })).status).toBe(401);
    const projectToken = { authorization: `Bearer ${issueProjectToken(projectId)}` };
    expect((await fetch(query, { headers: projectToken })).status).toBe(403);
    expect((await fetch(`${server.current.url}/api/admin/stats`, { headers: projectToken })).status).toBe(403);

    // No text and no preconditions: the newest episodes first.
    const newest = (await (
      await fetch(`${server.current.url}/api/admin/failures?limit=3`, { headers: admin })
    ).json()) as {
      results: Array<{ episode: { runId: string }; score: number }>;
    };
    expect(newest.results).toHaveLength(3);
    expect(newest.results[0]!.episode.runId).toBe(twin.runId);
  });
});
