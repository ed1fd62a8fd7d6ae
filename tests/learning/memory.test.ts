import { describe, expect, it } from 'vitest';
import { chooseStyle } from '../../src/learning/choose-style.js';
import { readMemoryIndex } from '../../src/learning/memory.js';
import { createProject } from '../../src/projects/index.js';
import type { Evaluation, MemoryIndex } from '../../src/schemas/memory.js';
import { getMetadata, keys, openStore, readJSON, type Id } from '../../src/storage/index.js';
import { evaluationDoc } from '../../src/learning/history.js';
import { makeCompleteRun, makeQueuedRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

const rate = (projectId: string, runId: string, rating: 'good' | 'bad', comment?: string) =>
  fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}/evaluation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(comment === undefined ? { rating } : { rating, comment }),
  });

const memory = async (projectId: string) =>
  (await (await fetch(`${server.current.url}/api/projects/${projectId}/memory`)).json()) as MemoryIndex;

const combo = (index: MemoryIndex, mood: string, musicStyle: string) =>
  index.learned_patterns.successfulCombinations.find((c) => c.mood === mood && c.musicStyle === musicStyle);

describe('ratings and the memory index', () => {
  it('30 concurrent ratings on 30 runs all count', async () => {
    const { projectId } = await createProject('learn');
    const runs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        makeCompleteRun(projectId, {
          mood: i % 2 ? 'calm' : 'happy',
          musicStyle: i % 2 ? 'acoustic' : 'pop',
          completedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        }),
      ),
    );
    const responses = await Promise.all(runs.map((runId, i) => rate(projectId, runId, i % 3 === 0 ? 'bad' : 'good')));
    expect(responses.map((r) => r.status)).toEqual(runs.map(() => 201));
    const index = await memory(projectId);
    expect(index.video_history.map((e) => e.runId).sort()).toEqual([...runs].sort());
    expect(index.video_history.every((e) => e.rating !== null)).toBe(true);
    expect(index.learned_patterns.successfulCombinations.reduce((sum, c) => sum + c.ratings, 0)).toBe(30);
    expect(index).toMatchObject({
      version: 2,
      user_preferences: { favorite_moods: expect.any(Array), preferred_duration: 20, disliked_music_styles: [] },
    });
  });

  it('the same rating sent twice counts once; re-rating replaces and moves the rate the right way', async () => {
    const { projectId } = await createProject('learn');
    const a = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'piano' });
    const b = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'piano' });
    expect((await rate(projectId, a, 'good')).status).toBe(201);
    expect((await rate(projectId, a, 'good')).status).toBe(200);
    expect((await rate(projectId, b, 'good')).status).toBe(201);
    const before = combo(await memory(projectId), 'calm', 'piano')!;
    expect(before).toMatchObject({ ratings: 2, good: 2, bad: 0, successRate: 0.75 });

    expect((await rate(projectId, b, 'bad')).status).toBe(200);
    const after = combo(await memory(projectId), 'calm', 'piano')!;
    expect(after).toMatchObject({ ratings: 2, good: 1, bad: 1, successRate: 0.5 });
    expect(after.successRate).toBeLessThan(before.successRate);
    const stored = (await readJSON(keys.evaluation(b), evaluationDoc))!.value;
    expect(stored.rating).toBe('bad');
  });

  it('a deleted or corrupted index is rebuilt identical from the evaluations', async () => {
    const { projectId } = await createProject('learn');
    for (let i = 0; i < 6; i++) {
      const runId = await makeCompleteRun(projectId, {
        mood: ['calm', 'happy', 'dramatic'][i % 3]!,
        musicStyle: ['acoustic', 'pop', 'cinematic'][i % 3]!,
        durationSec: 10 + i,
        completedAt: new Date(Date.UTC(2025, i, 1)).toISOString(),
      });
      if (i < 5) await rate(projectId, runId, i % 2 ? 'bad' : 'good', `take ${i}`);
    }
    const original = await memory(projectId);
    expect(original.video_history).toHaveLength(6);
    expect(original.video_history.filter((e) => e.rating === null)).toHaveLength(1);

    await openStore('evals').delete(keys.memoryIndex(projectId as Id).key);
    expect(await memory(projectId)).toEqual(original);

    const raw = await openStore('evals').getWithMetadata(keys.memoryIndex(projectId as Id).key, {
      type: 'arrayBuffer',
    });
    const bytes = new Uint8Array(raw!.data);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    await openStore('evals').set(keys.memoryIndex(projectId as Id).key, bytes.buffer, { metadata: raw!.metadata });
    expect(await memory(projectId)).toEqual(original);
    expect(await getMetadata(keys.memoryIndex(projectId as Id))).toMatchObject({ type: 'memory-index', version: 2 });
  });

  it('migrates the legacy flat array the original SirTrav wrote', async () => {
    const { projectId } = await createProject('learn');
    const runA = await makeCompleteRun(projectId, { mood: 'nostalgic', musicStyle: 'piano' });
    const legacy = [
      {
        runId: runA,
        rating: 'good',
        theme: 'Grandma',
        musicStyle: 'piano',
        mood: 'nostalgic',
        timestamp: '2024-05-01T10:00:00Z',
      },
      {
        runId: 'r_legacy_only',
        rating: 'negative',
        theme: 'Old trip',
        musicStyle: 'rock',
        mood: 'energetic',
        duration: 45,
        timestamp: 1714557600000,
      },
      { rating: 'good', theme: 'no run id, ignored' },
    ];
    await openStore('evals').set(keys.memoryIndex(projectId as Id).key, JSON.stringify(legacy));
    const index = await memory(projectId);
    expect(index.version).toBe(2);
    const byRun = Object.fromEntries(index.video_history.map((e) => [e.runId, e]));
    expect(byRun[runA]).toMatchObject({ rating: 'good', mood: 'nostalgic', musicStyle: 'piano', theme: 'Grandma' });
    expect(byRun.r_legacy_only).toMatchObject({
      rating: 'bad',
      mood: 'energetic',
      musicStyle: 'rock',
      durationSec: 45,
      timestamp: '2024-05-01T10:00:00.000Z',
    });
    const evaluation = (await readJSON(keys.evaluation('r_legacy_only' as Id), evaluationDoc))!.value as Evaluation;
    expect(evaluation).toMatchObject({ projectId, rating: 'bad' });
    // Stored in the current shape now.
    expect(await readMemoryIndex(projectId)).toEqual(index);
  });

  it('after 5 good (calm, acoustic) and 5 bad (energetic, rock), 100 decisions avoid rock and favour calm+acoustic', async () => {
    const { projectId } = await createProject('learn');
    for (let i = 0; i < 5; i++) {
      await rate(
        projectId,
        await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic', durationSec: 24 }),
        'good',
      );
      await rate(
        projectId,
        await makeCompleteRun(projectId, { mood: 'energetic', musicStyle: 'rock', durationSec: 60 }),
        'bad',
      );
    }
    const index = await memory(projectId);
    expect(index.user_preferences).toEqual({
      favorite_moods: ['calm'],
      preferred_duration: 24,
      disliked_music_styles: ['rock'],
    });
    const picks = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const choice = chooseStyle({}, index, `decision-${i}`);
      const key = `${choice.mood}+${choice.musicStyle}`;
      picks.set(key, (picks.get(key) ?? 0) + 1);
      expect(choice.source).toBe('memory');
      expect(choice.durationSec).toBe(24);
      expect(choice.reason).toMatch(/^sampled 0?\.\d+|^sampled 1 from Beta\(/);
    }
    const rock = [...picks.entries()].filter(([key]) => key.endsWith('+rock')).reduce((sum, [, n]) => sum + n, 0);
    expect(rock).toBeLessThanOrEqual(3);
    const ranked = [...picks.entries()].sort((a, b) => b[1] - a[1]);
    expect(ranked[0]![0]).toBe('calm+acoustic');
    // An explicit request always wins.
    expect(chooseStyle({ mood: 'energetic', musicStyle: 'rock' }, index, 'x')).toMatchObject({
      mood: 'energetic',
      musicStyle: 'rock',
      source: 'request',
    });
    expect(chooseStyle({ durationSec: 12 }, index, 'x').durationSec).toBeUndefined();
  });

  it('refuses to rate a run that is not complete (409) or unknown (404); a long comment is trimmed to fit 1 KB', async () => {
    const { projectId, runId } = await makeQueuedRun();
    const running = await rate(projectId, runId, 'good');
    expect(running.status).toBe(409);
    expect(((await running.json()) as { error: { code: string } }).error.code).toBe('run_not_complete');
    expect((await rate(projectId, 'r_unknown', 'good')).status).toBe(404);
    expect((await rate(projectId, runId, 'meh' as never)).status).toBe(400);

    const done = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'ambient' });
    const comment = 'é'.repeat(1000); // 2 KB of UTF-8
    const response = await rate(projectId, done, 'good', comment);
    expect(response.status).toBe(201);
    const stored = (await response.json()) as Evaluation;
    expect(stored.commentTrimmed).toBe(true);
    expect(comment.startsWith(stored.comment!)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThanOrEqual(1024);
    expect(await getMetadata(keys.evaluation(done))).toMatchObject({ bytes: expect.any(Number) });
    expect(((await getMetadata(keys.evaluation(done))) as { bytes: number }).bytes).toBeLessThanOrEqual(1024);
    expect((await rate(projectId, done, 'good', 'x'.repeat(5000))).status).toBe(400);
  });
});

describe('the director learns', () => {
  it('an open request gets its mood and music from the memory, with the reason in the storyboard', async () => {
    const { createProjectOverHttp, uploadPhotos } = await import('../helpers/api.js');
    const { followProgress } = await import('../../packages/client/src/index.js');
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    for (let i = 0; i < 3; i++) {
      await rate(projectId, await makeCompleteRun(projectId as Id, { mood: 'energetic', musicStyle: 'rock' }), 'bad');
      await rate(
        projectId,
        await makeCompleteRun(projectId as Id, { mood: 'romantic', musicStyle: 'piano', durationSec: 7 }),
        'good',
      );
    }
    await uploadPhotos(api, 2, 700);
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resolution: '360p', narration: false }),
    });
    const { links } = (await started.json()) as { links: { progress: string } };
    const final = await followProgress(links.progress, { onEvent: () => undefined });
    expect(final?.status).toBe('complete');
    const storyboard = final!.storyboard!;
    expect(storyboard.choice.source).toBe('memory');
    expect(storyboard.choice.reason).toMatch(
      /^sampled [\d.]+ from Beta\([\d.]+,[\d.]+\) for \w+\+\w+, the best of \d+ candidates; never rock \(disliked\)$/,
    );
    expect(storyboard.musicStyle).not.toBe('rock');
    expect(storyboard.durationSec).toBe(7);
  });
});

describe('an index from an older schema version', () => {
  it('is rebuilt in the current shape from the evaluations', async () => {
    const { z } = await import('zod');
    const { defineDocument, writeJSON } = await import('../../src/storage/index.js');
    const { projectId } = await createProject('learn');
    const runId = await makeCompleteRun(projectId, { mood: 'happy', musicStyle: 'pop' });
    await rate(projectId, runId, 'good');
    const current = await memory(projectId);
    // What version 1 stored: the seed schema without version or updatedAt.
    const versionOne = defineDocument({ name: 'memory-index', version: 1, schema: z.any() });
    await writeJSON(keys.memoryIndex(projectId as Id), versionOne, {
      user_preferences: { favorite_moods: [], preferred_duration: 30, disliked_music_styles: [] },
      video_history: [],
      learned_patterns: { successfulCombinations: [] },
    });
    expect(await memory(projectId)).toEqual(current);
    expect(await getMetadata(keys.memoryIndex(projectId as Id))).toMatchObject({ version: 2 });
  });
});
