import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  run,
  RunFailedError,
  SirTravClient,
  verifyWebhook,
  WebhookVerificationError,
  type FinishedRun,
  type ProgressEvent,
  type ProgressUpdate,
} from '../../packages/client/src/index.js';
import { DIRECT_UPLOAD_LIMIT } from '../../src/schemas/media.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { makePhoto } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';
import { startReceiver, statuses, type Receiver } from '../helpers/webhook-receiver.js';

const server = useLocalServer();

/** Noise does not compress: a JPEG over the direct upload limit, so it goes up in parts. */
async function largePhoto(): Promise<Uint8Array> {
  const [width, height] = [2400, 1800];
  const bytes = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
  expect(bytes.byteLength).toBeGreaterThan(DIRECT_UPLOAD_LIMIT);
  return new Uint8Array(bytes);
}

const photo = (seed: number) =>
  makePhoto('jpeg', { width: 800, height: 600, seed, takenAt: `2024:07:1${seed} 10:00:00`, offset: '+01:00' });
const RENDER = { durationSec: 4, resolution: '360p', narration: false } as const;

describe('run(): photos in, video out', () => {
  let receiver: Receiver;
  let secret: string;
  let finished: FinishedRun;
  const events: ProgressEvent[] = [];
  let requests: { method: string; url: string; headers: Headers }[];

  beforeAll(async () => {
    // The shortest stream windows, so following even a fast run spans several and a reconnect is exercised.
    vi.stubEnv('SIRTRAV_STREAM_WINDOW_MS', '500');
    receiver = await startReceiver(statuses([200]));
    const created = await new SirTravClient({ baseUrl: server.current.url }).createProject('client');
    secret = created.webhookSecret;
    requests = [];
    const recording: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      requests.push({ method: request.method, url: request.url, headers: request.headers });
      return fetch(request);
    };
    finished = await run({
      baseUrl: server.current.url,
      projectId: created.projectId,
      token: created.token,
      fetch: recording,
      photos: [await photo(1), { bytes: await largePhoto(), filename: 'noise.jpg' }, await photo(2)],
      options: { ...RENDER, webhookUrl: receiver.url },
      onProgress: (event) => events.push(event),
    });
    await server.current.idle();
  }, 300_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await receiver?.close();
  });

  it('uploads small photos directly and a large one in parts, and runs on exactly those photos', () => {
    const paths = requests.map(
      ({ method, url }) => `${method} ${new URL(url).pathname.replace(/^\/api\/projects\/[^/]+/, '')}`,
    );
    expect(paths.filter((path) => path === 'POST /media')).toHaveLength(2);
    expect(paths.filter((path) => /^PUT \/uploads\/[^/]+\/parts\/\d+$/.test(path)).length).toBeGreaterThan(1);
    expect(finished.media.map((item) => item.filename)).toEqual(['photo.jpg', 'noise.jpg', 'photo.jpg']);
    expect(finished.run.mediaIds).toEqual(finished.media.map((item) => item.mediaId));
    expect(finished.run.request).toMatchObject(RENDER);
  });

  it('follows progress across stream windows, resuming after the last event seen, each event once', () => {
    const streams = requests.filter(({ url }) => url.endsWith('/progress'));
    // A run takes a few seconds or more: at least one reconnect, however fast the machine.
    expect(streams.length).toBeGreaterThanOrEqual(2);
    const resumedFrom = streams.slice(1).map(({ headers }) => Number(headers.get('last-event-id')));
    expect(resumedFrom.every((seq) => seq > 0)).toBe(true);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'complete', progress: 1 });
  });

  it('hands back the finished video, read in ranges', async () => {
    expect(finished.run.status).toBe('complete');
    const video = await new Response(finished.video).bytes();
    expect(video.byteLength).toBe(finished.run.outputs.video!.bytes);
    const mp4 = await inspectMp4(video);
    expect(mp4).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '640x360' });
    const videoRequests = requests.filter(({ url }) => url.endsWith('/video'));
    expect(videoRequests.length).toBeGreaterThan(0);
    expect(videoRequests.every(({ headers }) => /^bytes=\d+-\d+$/.test(headers.get('range') ?? ''))).toBe(true);
  });

  it('plan() makes the plan only, and run() refuses a plan, since it has no video to hand back', async () => {
    const created = await new SirTravClient({ baseUrl: server.current.url }).createProject('plan');
    const project = new SirTravClient({ baseUrl: server.current.url }).forProject(created.projectId, created.token);
    const planned = await project.plan({ photos: [await photo(3), await photo(4)], options: RENDER });
    expect(planned.run.status).toBe('complete');
    expect(planned.run.outputs.plan).toBe(true);
    expect(planned.run.outputs.video).toBeUndefined();
    expect(planned.run.storyboard.shots.map((shot) => shot.mediaId).sort()).toEqual(
      planned.media.map((item) => item.mediaId).sort(),
    );
    await expect(project.run({ photos: [], options: { ...RENDER, planOnly: true } })).rejects.toThrow(/use plan\(\)/);
  });

  it('verifyWebhook() accepts the real delivery and returns the typed event', () => {
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    const event = verifyWebhook({ payload: delivery!.body, headers: delivery!.headers, secret });
    expect(event.type).toBe('run.completed');
    expect(event.data).toMatchObject({
      runId: finished.run.runId,
      status: 'complete',
      outputs: { video: { bytes: finished.run.outputs.video!.bytes } },
    });
    // The same, with the body as bytes and the headers as a Headers object.
    const headers = new Headers(
      Object.entries(delivery!.headers).map(([name, value]): [string, string] => [name, String(value)]),
    );
    expect(verifyWebhook({ payload: new TextEncoder().encode(delivery!.body), headers, secret })).toEqual(event);
  });

  it('verifyWebhook() refuses a changed body, another secret, missing headers and a replay older than 5 minutes', () => {
    const { body, headers } = receiver.received[0]!;
    const refused = (options: Parameters<typeof verifyWebhook>[0]) =>
      expect(() => verifyWebhook(options)).toThrow(WebhookVerificationError);
    refused({ payload: body.replace('"complete"', '"failed"'), headers, secret });
    refused({ payload: body, headers, secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    refused({ payload: body, headers: { ...headers, 'webhook-signature': undefined }, secret });

    // Signed correctly with this secret: accepted when fresh, refused when 6 minutes old.
    const id = String(headers['webhook-id']);
    const signedAt = (at: Date) => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    });
    expect(verifyWebhook({ payload: body, headers: signedAt(new Date()), secret }).type).toBe('run.completed');
    expect(() =>
      verifyWebhook({ payload: body, headers: signedAt(new Date(Date.now() - 6 * 60_000)), secret }),
    ).toThrow(/timestamp/i);

    // A well-signed body that is not a run event.
    const other = JSON.stringify({ type: 'run.exploded', data: {} });
    const at = new Date();
    expect(() =>
      verifyWebhook({
        payload: other,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(id, at, other),
        },
        secret,
      }),
    ).toThrow(/not a run event/);
  });

  it('progress(runId) iterates a finished run: the events still held, then done', async () => {
    const project = new SirTravClient({ baseUrl: server.current.url }).forProject(finished.run.projectId);
    const updates: ProgressUpdate[] = [];
    for await (const update of project.progress(finished.run.runId)) updates.push(update);
    expect(updates.at(-1)).toMatchObject({ type: 'done', run: { runId: finished.run.runId, status: 'complete' } });
    expect(updates.filter((update) => update.type === 'progress').map((update) => update.event.seq)).toEqual(
      events.map((event) => event.seq),
    );
    // Resuming after the last event: only done is left.
    const rest: ProgressUpdate[] = [];
    for await (const update of project.progress(finished.run.runId, { lastEventId: events.at(-1)!.seq }))
      rest.push(update);
    expect(rest.map((update) => update.type)).toEqual(['done']);
  });
});

describe('run() when the run does not finish', () => {
  it('aborting cancels the run and rejects with the reason; a cancelled run rejects with RunFailedError', async () => {
    const created = await new SirTravClient({ baseUrl: server.current.url }).createProject();
    const controller = new AbortController();
    const reason = new Error('no longer wanted');
    const started = run({
      baseUrl: server.current.url,
      projectId: created.projectId,
      photos: [await photo(3), await photo(4)],
      options: { durationSec: 30, resolution: '720p', narration: false },
      onProgress: () => controller.abort(reason),
      signal: controller.signal,
    });
    await expect(started).rejects.toBe(reason);
    const project = new SirTravClient({ baseUrl: server.current.url }).forProject(created.projectId);
    const [summary] = await project.listRuns();
    const final = await project.follow(summary!.runId, { onEvent: () => undefined });
    expect(final.status).toBe('cancelled');
    await server.current.idle();

    // Cancelling from elsewhere while run() follows: it rejects with the run.
    const pending = run({
      baseUrl: server.current.url,
      projectId: created.projectId,
      photos: [],
      options: { durationSec: 30, resolution: '720p', narration: false },
    });
    const failure = pending.catch((error: unknown) => error);
    for (let runs = await project.listRuns(); runs.length < 2; runs = await project.listRuns())
      await new Promise((resolve) => setTimeout(resolve, 100));
    await project.cancelRun((await project.listRuns())[0]!.runId);
    const error = await failure;
    expect(error).toBeInstanceOf(RunFailedError);
    expect(error).toMatchObject({ code: 'run_cancelled', run: { status: 'cancelled' } });
    await server.current.idle();
  }, 300_000);
});
