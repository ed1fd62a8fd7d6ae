import { expect } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import type { Media } from '../../src/schemas/media.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { makePhoto } from './photos.js';

/** A project created over HTTP, with helpers bound to it. */
export async function createProjectOverHttp(baseUrl: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/api/projects`, { method: 'POST', headers });
  if (response.status !== 201) throw new Error(`create project: ${response.status} ${await response.text()}`);
  const { projectId, token } = (await response.json()) as { projectId: string; token: string };
  const api = (path: string) => `${baseUrl}/api/projects/${projectId}${path}`;
  return { projectId, token, api };
}

/** Uploads `count` generated photos, a day apart in July 2024 around Lisbon. */
export async function uploadPhotos(
  api: (path: string) => string,
  count: number,
  seedBase = 0,
  headers: Record<string, string> = {},
): Promise<Media[]> {
  const media: Media[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = await makePhoto('jpeg', {
      width: 800,
      height: 600,
      seed: seedBase + i,
      takenAt: `2024:07:${String(10 + i).padStart(2, '0')} 1${i % 10}:00:00`,
      offset: '+01:00',
      gps: { lat: [38, 42, 30 + i], latRef: 'N', lon: [9, 8, 24], lonRef: 'W' },
    });
    const response = await fetch(api('/media'), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'image/jpeg' },
      body: bytes,
    });
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
    media.push(...((await response.json()) as { media: Media[] }).media);
  }
  return media;
}

/** Invokes the background pipeline function for a run (as a start or a resume would) and follows its progress to the end. */
export async function invokePipeline(baseUrl: string, projectId: string, runId: string) {
  const invoked = await fetch(`${baseUrl}/.netlify/functions/run-pipeline-background`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ projectId, runId, signature: '' }),
  });
  if (invoked.status !== 202) throw new Error(`invoke pipeline: ${invoked.status} ${await invoked.text()}`);
  const events: ProgressEvent[] = [];
  const final = await followProgress(`${baseUrl}/api/projects/${projectId}/runs/${runId}/progress`, {
    onEvent: (e) => events.push(e),
  });
  return { final, events };
}

/** Starts a run over HTTP and follows its progress to the end, expecting it to complete: its state and events. */
export async function runToEnd(
  api: (path: string) => string,
  body: object,
): Promise<{ state: RunState; events: ProgressEvent[] }> {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  const { runId, links } = (await response.json()) as { runId: string; links: { progress: string } };
  const events: ProgressEvent[] = [];
  const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
  expect(final?.status, JSON.stringify(events.at(-1))).toBe('complete');
  return { state: (await (await fetch(api(`/runs/${runId}`))).json()) as RunState, events };
}
