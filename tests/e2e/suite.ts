import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SirTravApiError,
  SirTravClient,
  type ProgressEvent,
  type ProjectClient,
} from '../../packages/client/src/index.js';
import { makePhoto } from '../helpers/photos.js';
import { inspectMp4 } from '../helpers/mp4.js';

/** What the suite needs of a host: its URL and a way to fire a scheduled function as the scheduler would. */
export interface SuiteHost {
  url: string;
  runScheduled(name: string): Promise<number>;
  /** Aborted (with the reason) once the host has seen a failure no waiting can mend; waits end at once on it. */
  failed?: AbortSignal;
}

/** Auth is on, as in production. */
export const SUITE_ENV = {
  SIRTRAV_API_SECRET: 'e2e-secret-0123456789abcdef0123456789',
  SIRTRAV_ADMIN_TOKEN: 'e2e-admin-token-0123456789abcdef',
} as const;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A photo of more than 16 MiB (one response's worth), so it can only be fetched in ranges. */
async function makeHugePhoto(): Promise<Uint8Array> {
  const width = 5200;
  const height = 3900;
  return new Uint8Array(
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 97 })
      .toBuffer(),
  );
}

/**
 * The whole product over HTTP, through the typed client: photos in, a run
 * followed over SSE to done, the video out in ranges, a rating and the memory
 * it teaches, a cancel, and retention. Run against the in-process host and
 * against the built deploy bundles; every answer is recorded in a transcript
 * that both hosts must produce identically.
 */
export function endToEndSuite(host: () => SuiteHost): void {
  const transcript: string[] = [];
  const note = (line: string) => transcript.push(line);
  let project: ProjectClient;
  let admin: SirTravClient;
  /** Follows a run to its end; a broken host ends the wait at once and fails the test with its reason. */
  const follow = async (runId: string, onEvent: (event: ProgressEvent) => void) => {
    const failed = host().failed;
    const final = await project.follow(runId, { onEvent, ...(failed ? { signal: failed } : {}) });
    failed?.throwIfAborted();
    return final;
  };

  describe('the product end to end', () => {
    it('health answers, and a project is created with the admin token only', async () => {
      admin = new SirTravClient({ baseUrl: host().url, token: SUITE_ENV.SIRTRAV_ADMIN_TOKEN });
      const health = await admin.health();
      expect(health.auth).toBe('enabled');
      note(`health ok=${health.ok} auth=${health.auth}`);
      const anonymous = await fetch(`${host().url}/api/projects`, { method: 'POST' });
      note(`anonymous create → ${anonymous.status}`);
      expect(anonymous.status).toBe(401);
      const created = await admin.createProject('e2e');
      project = admin.forProject(created.projectId, created.token);
    });

    it('photos go in directly and in parts, and come back byte-identical, in ranges when large', async () => {
      for (let i = 0; i < 4; i++) {
        const bytes = await makePhoto('jpeg', {
          width: 960,
          height: 720,
          seed: i,
          takenAt: `2025:08:0${i + 1} 10:00:00`,
          offset: '+02:00',
          gps: { lat: [47, 33, 44], latRef: 'N', lon: [13, 38, 58], lonRef: 'E' },
        });
        const media = await project.uploadPhoto(bytes, `day-${i + 1}.jpg`);
        expect(media.sha256).toBe(sha256(bytes));
      }
      const huge = await makeHugePhoto();
      expect(huge.byteLength).toBeGreaterThan(16 * 1024 * 1024);
      const stored = await project.uploadPhoto(huge, 'huge.jpg');
      note(`uploaded 4 direct + 1 in parts (${stored.width}x${stored.height})`);
      const back = await project.downloadPhoto(stored.mediaId);
      expect(sha256(back)).toBe(sha256(huge));
      const whole = await fetch(`${host().url}/api/projects/${project.projectId}/media/${stored.mediaId}`, {
        headers: { authorization: `Bearer ${SUITE_ENV.SIRTRAV_ADMIN_TOKEN}` },
      });
      const refusal = (await whole.json()) as { error: { code: string; details: { bytes: number } } };
      note(`huge photo without Range → ${whole.status} ${refusal.error.code}`);
      expect(refusal.error.details.bytes).toBe(huge.byteLength);
      await project.deleteMedia(stored.mediaId);
      expect((await project.listMedia()).length).toBe(4);
    });

    it('a run is followed over SSE to done, and its video downloads and decodes', async () => {
      const started = await project.startRun({
        durationSec: 6,
        resolution: '360p',
        theme: 'Four days by the lake',
        narration: true,
      });
      const events: ProgressEvent[] = [];
      const final = await follow(started.runId, (event) => events.push(event));
      expect(final.status, JSON.stringify(final)).toBe('complete');
      expect(events.map((event) => event.seq)).toEqual(events.map((_, i) => i + 1));
      for (const agent of ['director', 'voice', 'music', 'compose'])
        expect(
          events.some((e) => e.agent === agent && e.status === 'completed'),
          agent,
        ).toBe(true);
      note(`run → ${final.status}, ${events.length > 10 ? 'many' : 'few'} events, last ${events.at(-1)?.status}`);

      const video = await project.downloadVideo(started.runId);
      const mp4 = await inspectMp4(video);
      expect(mp4.decodeErrors).toBe('');
      expect(Math.abs(mp4.durationSec - 6)).toBeLessThan(0.25);
      note(`video ${mp4.video}/${mp4.audio} ${mp4.size}`);
      const head = await fetch(`${host().url}/api/projects/${project.projectId}/runs/${started.runId}/video`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${SUITE_ENV.SIRTRAV_ADMIN_TOKEN}` },
      });
      expect(Number(head.headers.get('content-length'))).toBe(video.byteLength);
      note(`video HEAD → ${head.status}`);

      const rated = await project.rate(started.runId, 'good', 'lovely');
      note(`rated ${rated.rating}`);
      const memory = await project.memory();
      expect(memory.video_history.find((entry) => entry.runId === started.runId)?.rating).toBe('good');
      note(`memory history ${memory.video_history.length} with rating good`);
    });

    it('a cancelled run ends cancelled, with no video', async () => {
      const started = await project.startRun({ durationSec: 20, resolution: '360p' });
      let cancelled = false;
      const final = await follow(started.runId, (event) => {
        if (!cancelled && event.agent === 'director' && event.status === 'completed') {
          cancelled = true;
          project.cancelRun(started.runId).catch(() => undefined);
        }
      });
      expect(final.status).toBe('cancelled');
      const video = await project.downloadVideo(started.runId).catch((error: unknown) => error);
      expect(video).toBeInstanceOf(SirTravApiError);
      note(`cancel → ${final.status}, video → ${(video as SirTravApiError).status}`);
    });

    it('retention runs on demand (dry run) and as the scheduled function', async () => {
      const now = new Date(Date.now() + 100 * 24 * 3600 * 1000).toISOString();
      const response = await fetch(`${host().url}/api/admin/cleanup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SUITE_ENV.SIRTRAV_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dryRun: true, now }),
      });
      const report = (await response.json()) as { dryRun: boolean; deleted: { progress: number; runs: number } };
      expect(report.dryRun).toBe(true);
      note(`cleanup dry run → ${response.status}, would delete progress of ${report.deleted.progress} runs`);
      note(`scheduled retention → ${await host().runScheduled('retention-scheduled')}`);
      expect((await project.listRuns()).length).toBe(2);
    });

    it('answers the same as the reference transcript', () => {
      expect(transcript).toEqual([
        'health ok=true auth=enabled',
        'anonymous create → 401',
        'uploaded 4 direct + 1 in parts (5200x3900)',
        'huge photo without Range → 400 range_required',
        'run → complete, many events, last complete',
        'video h264/aac 640x360',
        'video HEAD → 200',
        'rated good',
        'memory history 1 with rating good',
        'cancel → cancelled, video → 409',
        'cleanup dry run → 200, would delete progress of 2 runs',
        'scheduled retention → 200',
      ]);
    });
  });
}
