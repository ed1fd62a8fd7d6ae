import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { createShare } from '../../src/shares/index.js';
import { deleteVideo, getMetadataByKey, keys, parseId } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { launchBrowser } from '../helpers/browser.js';
import { useLocalServer } from '../helpers/server.js';

const SECRET = 'test-secret-for-share-pages-0123456789';
const ADMIN = 'admin-token-share-abcdefghijklmnop';

beforeAll(() => {
  vi.stubEnv('SIRTRAV_API_SECRET', SECRET);
  vi.stubEnv('SIRTRAV_ADMIN_TOKEN', ADMIN);
});

const server = useLocalServer();
let browser: Browser;

interface Fixture {
  projectId: string;
  runId: string;
  auth: Record<string, string>;
  run: string;
  video: Uint8Array;
  links: { video: string; captions: string };
  theme: string;
  lines: number;
}
let a: Fixture;
let b: Fixture;

async function render(theme: string, body: Record<string, unknown>, photos: number, seed: number): Promise<Fixture> {
  const { projectId, token, api } = await createProjectOverHttp(server.current.url, {
    authorization: `Bearer ${ADMIN}`,
  });
  const auth = { authorization: `Bearer ${token}` };
  await uploadPhotos(api, photos, seed, auth);
  const started = await fetch(api('/runs'), {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ theme, ...body }),
  });
  expect(started.status).toBe(202);
  const { runId, links } = (await started.json()) as {
    runId: string;
    links: { progress: string; video: string; captions: string };
  };
  const final = await followProgress(links.progress, { onEvent: () => undefined });
  expect(final?.status, JSON.stringify(final)).toBe('complete');
  const video = new Uint8Array(await (await fetch(links.video)).arrayBuffer());
  const lines = final?.status === 'complete' ? (final.storyboard?.narration.segments?.length ?? 0) : 0;
  return { projectId, runId, auth, run: api(`/runs/${runId}`), video, links, theme, lines };
}

async function share(f: Fixture, body: unknown = {}, auth = f.auth): Promise<Response> {
  return fetch(`${f.run}/share`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function newShare(f: Fixture): Promise<{ shareId: string; url: string; expiresAt: string }> {
  const response = await share(f);
  expect(response.status).toBe(201);
  return (await response.json()) as { shareId: string; url: string; expiresAt: string };
}

const publicUrls = (url: string) => [url, `${url}/video`, `${url}/poster.jpg`, `${url}/captions.vtt`];

beforeAll(async () => {
  a = await render('Alpha & <Omega> "coast" trip', { durationSec: 8, resolution: '360p', narration: true }, 3, 40);
  b = await render('Bravo hidden beach', { durationSec: 4, resolution: '360p', narration: false }, 1, 90);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  vi.unstubAllEnvs();
});

describe('share pages', () => {
  it('answers 201 with an unguessable id, a public page and the default expiry of 7 days', async () => {
    const before = Date.now();
    const created = await newShare(a);
    expect(created.shareId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.url).toBe(`${server.current.url}/api/share/${created.shareId}`);
    expect(Math.abs(Date.parse(created.expiresAt) - before - 7 * 86_400_000)).toBeLessThan(60_000);
    const another = await newShare(a);
    expect(another.shareId).not.toBe(created.shareId);
  });

  it('a page fetched without a token carries the Open Graph and Twitter tags, names neither project nor run, and plays with captions', async () => {
    const { url } = await newShare(a);
    const raw = await fetch(url);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(raw.headers.get('cache-control')).toBe('no-store');
    const html = await raw.text();
    expect(html).not.toContain(a.projectId);
    expect(html).not.toContain(a.runId);
    expect(html).not.toContain('<Omega>');

    // Chromium parses it (the page runs no script, so this is the markup a link preview reads), with no token anywhere.
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(url);
    const tags = Object.fromEntries(
      await page.$$eval('meta[property], meta[name]', (metas) =>
        metas.map((m) => [m.getAttribute('property') ?? m.getAttribute('name'), m.getAttribute('content')]),
      ),
    ) as Record<string, string>;
    expect(tags).toMatchObject({
      'og:title': a.theme,
      'og:type': 'video.other',
      'og:url': url,
      'og:image': `${url}/poster.jpg`,
      'og:image:width': '640',
      'og:image:height': '360',
      'og:video': `${url}/video`,
      'og:video:type': 'video/mp4',
      'og:video:width': '640',
      'og:video:height': '360',
      'twitter:card': 'player',
      'twitter:player': url,
      'twitter:player:width': '640',
      'twitter:player:height': '360',
      'twitter:image': `${url}/poster.jpg`,
    });
    expect(await page.title()).toBe(a.theme);
    // The video loads through ranges and its captions track through the share, without a token.
    await page.waitForFunction(() => document.querySelector('video')!.readyState >= 2, undefined, { timeout: 30_000 });
    await page.waitForFunction(
      () => (document.querySelector('video')!.textTracks[0]?.cues?.length ?? 0) > 0,
      undefined,
      { timeout: 10_000 },
    );
    const track = await page.$eval('video', (video) => ({
      mode: video.textTracks[0]!.mode,
      cues: [...video.textTracks[0]!.cues!].map((cue) => ({ start: cue.startTime, end: cue.endTime })),
      poster: video.poster,
      duration: video.duration,
    }));
    expect(track.mode).toBe('showing');
    expect(track.cues.length).toBe(a.lines);
    expect(track.poster).toBe(`${url}/poster.jpg`);
    expect(Math.abs(track.duration - 8)).toBeLessThan(0.3);
    expect(requested.every((address) => !address.includes(a.projectId) && !address.includes(a.runId))).toBe(true);
    await context.close();

    const poster = await fetch(`${url}/poster.jpg`);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect([...new Uint8Array(await poster.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it('serves the video in ranges exactly like the run’s own video route, with an etag naming the share only', async () => {
    const { url, shareId } = await newShare(a);
    const part = await fetch(`${url}/video`, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${a.video.byteLength}`);
    expect(part.headers.get('etag')).toBe(`"${shareId}-${a.video.byteLength}"`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...a.video.subarray(100, 200)]);
    const whole = await fetch(`${url}/video`);
    expect(whole.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await whole.arrayBuffer()), Buffer.from(a.video))).toBe(0);
    expect((await fetch(`${url}/video`, { headers: { range: `bytes=${a.video.byteLength}-` } })).status).toBe(416);
  });

  it('a share reaches only the video it was made for, and only its own project may revoke it', async () => {
    const ofA = await newShare(a);
    const ofB = await newShare(b);
    const videoOf = async (url: string) => Buffer.from(await (await fetch(`${url}/video`)).arrayBuffer());
    expect(Buffer.compare(await videoOf(ofA.url), Buffer.from(a.video))).toBe(0);
    expect(Buffer.compare(await videoOf(ofB.url), Buffer.from(b.video))).toBe(0);
    expect(await (await fetch(ofB.url)).text()).not.toContain('Alpha');
    // B's token on A's run is refused before anything is read; on B's own run, A's share is simply not there.
    const onA = await fetch(`${a.run}/share/${ofA.shareId}`, { method: 'DELETE', headers: b.auth });
    expect(onA.status).toBe(403);
    const onB = await fetch(`${b.run}/share/${ofA.shareId}`, { method: 'DELETE', headers: b.auth });
    expect(onB.status).toBe(404);
    expect(await onB.json()).toMatchObject({ error: { code: 'share_not_found' } });
    expect((await fetch(ofA.url)).status).toBe(200);
    // Nor may B share A's run.
    expect((await share(a, {}, b.auth)).status).toBe(403);
  });

  it('a revoked share answers 404 at once, on every public address; revoking again is 404', async () => {
    const { shareId, url } = await newShare(a);
    for (const address of publicUrls(url)) expect((await fetch(address)).status, address).toBe(200);
    const listed = (await (await fetch(`${a.run}/shares`, { headers: a.auth })).json()) as {
      shares: Array<{ shareId: string }>;
    };
    expect(listed.shares.map((s) => s.shareId)).toContain(shareId);

    const revoked = await fetch(`${a.run}/share/${shareId}`, { method: 'DELETE', headers: a.auth });
    expect(revoked.status).toBe(204);
    for (const address of publicUrls(url)) {
      const response = await fetch(address);
      expect(response.status, address).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'share_not_found' } });
    }
    expect((await fetch(`${a.run}/share/${shareId}`, { method: 'DELETE', headers: a.auth })).status).toBe(404);
    const after = (await (await fetch(`${a.run}/shares`, { headers: a.auth })).json()) as {
      shares: Array<{ shareId: string }>;
    };
    expect(after.shares.map((s) => s.shareId)).not.toContain(shareId);
  });

  it('an expired share answers 404, and retention removes it with its marker while live shares stay', async () => {
    const expired = await createShare({
      projectId: parseId(a.projectId),
      runId: parseId(a.runId),
      expiresInSec: 60,
      now: new Date(Date.now() - 61_000),
    });
    const live = await newShare(a);
    for (const address of publicUrls(`${server.current.url}/api/share/${expired.shareId}`))
      expect((await fetch(address)).status, address).toBe(404);

    const cleanup = await fetch(`${server.current.url}/api/admin/cleanup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(cleanup.status).toBe(200);
    expect(((await cleanup.json()) as { deleted: { shares: number } }).deleted.shares).toBeGreaterThanOrEqual(1);
    expect(await getMetadataByKey('runs', keys.share(expired.shareId).key)).toBeNull();
    expect(
      await getMetadataByKey('runs', keys.runShare(expired.projectId, expired.runId, expired.shareId).key),
    ).toBeNull();
    expect((await fetch(live.url)).status).toBe(200);
  });

  it('refuses a bad expiresInSec with 400, and a run that is unknown with 404', async () => {
    for (const expiresInSec of [0, 59, 90 * 86_400 + 1, 1.5, '3600', null]) {
      const response = await share(a, { expiresInSec });
      expect(response.status, String(expiresInSec)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: expect.any(String) } });
    }
    expect((await share(a, { expiresInSec: 3600, extra: true })).status).toBe(400);
    const hour = await share(a, { expiresInSec: 3600 });
    expect(hour.status).toBe(201);
    expect(
      Math.abs(Date.parse(((await hour.json()) as { expiresAt: string }).expiresAt) - Date.now() - 3_600_000),
    ).toBeLessThan(60_000);
    const missing = await fetch(`${server.current.url}/api/projects/${a.projectId}/runs/r_missing/share`, {
      method: 'POST',
      headers: a.auth,
    });
    expect(missing.status).toBe(404);
    expect((await fetch(`${server.current.url}/api/share/not-a-share`)).status).toBe(404);
    expect((await fetch(`${server.current.url}/api/share/bad.id`)).status).toBe(400);
  });

  it('the signed captions link loads without a token, as a <track> needs', async () => {
    expect(a.links.captions).toMatch(/\/captions\.vtt\?exp=\d+&sig=[\w-]+$/);
    const vtt = await fetch(a.links.captions);
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect(await vtt.text()).toMatch(/^WEBVTT\n/);
    expect((await fetch(a.links.captions.split('?')[0]!)).status).toBe(401);
  });

  it("once a run's video is deleted, its shares answer 404", async () => {
    const { url } = await newShare(b);
    expect((await fetch(url)).status).toBe(200);
    await deleteVideo(parseId(b.runId));
    for (const address of [url, `${url}/video`]) expect((await fetch(address)).status, address).toBe(404);
  });
});
