import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { findFfmpeg } from '../../src/media/find-ffmpeg.js';
import type { Media } from '../../src/schemas/media.js';
import type { RunState } from '../../src/schemas/run.js';
import { getMedia } from '../../src/media/library.js';
import { listKeyPages, parseId } from '../../src/storage/index.js';
import { livePhotoJpeg } from '../helpers/apple-live.js';
import { heicFixture } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';
import {
  clipFixture,
  hugeDurationClip,
  junkAfterHeader,
  oversizedClip,
  truncatedClip,
  type ClipFixture,
} from './clip-fixtures.js';

const server = useLocalServer();
let projectId = '';
const api = (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;

beforeAll(async () => {
  const response = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
  projectId = ((await response.json()) as { projectId: string }).projectId;
});

async function mediaKeys(): Promise<string[]> {
  const found: string[] = [];
  for await (const page of listKeyPages('media', '')) found.push(...page);
  return found.sort();
}

async function upload(bytes: Uint8Array<ArrayBuffer>, type = 'video/mp4') {
  const response = await fetch(api('/media'), {
    method: 'POST',
    headers: { 'content-type': type, 'x-filename': 'IMG_0042.MP4' },
    body: bytes,
  });
  return {
    status: response.status,
    body: (await response.json()) as { media: Media[]; error?: { code: string; message: string } },
  };
}

describe('clip upload', () => {
  it.each<[ClipFixture, { width: number; height: number; durationSec: number }]>([
    ['landscape-h264', { width: 1920, height: 1080, durationSec: 2.01 }],
    ['portrait-rotated-h264', { width: 1080, height: 1920, durationSec: 2.01 }],
    ['landscape-hevc', { width: 1920, height: 1080, durationSec: 5.01 }],
  ])('%s is stored as a clip, at its displayed size, and served back byte-identical', async (name, expected) => {
    const bytes = clipFixture(name);
    const { status, body } = await upload(bytes);
    expect(status, JSON.stringify(body)).toBe(201);
    const [media] = body.media;
    expect(media).toMatchObject({
      kind: 'clip',
      contentType: 'video/mp4',
      bytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      width: expected.width,
      height: expected.height,
    });
    expect(media!.durationSec).toBeCloseTo(expected.durationSec, 1);
    expect(media!.analysis).toBeUndefined();
    const back = await fetch(api(`/media/${media!.mediaId}`));
    expect(back.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('reads when and where a clip was taken from its own metadata', async () => {
    const { body } = await upload(clipFixture('landscape-h264'));
    expect(body.media[0]).toMatchObject({
      takenAt: '2024-07-14T16:30:05+00:00',
      gps: { latitude: 48.8584, longitude: 2.2945, altitude: null },
    });
    const listed = (await (await fetch(api('/media'))).json()) as { media: Media[] };
    expect(listed.media.filter((m) => m.kind === 'clip').length).toBeGreaterThanOrEqual(1);
    expect(listed.media.every((m) => m.kind === 'photo' || m.kind === 'clip')).toBe(true);
  });

  it('takes a clip through the chunked upload routes', async () => {
    const clip = clipFixture('landscape-hevc');
    const started = await fetch(api('/uploads'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'IMG_0100.MOV', bytes: clip.byteLength }),
    });
    expect(started.status).toBe(201);
    const { uploadId, partSize, partCount } = (await started.json()) as {
      uploadId: string;
      partSize: number;
      partCount: number;
    };
    for (let n = 0; n < partCount; n++) {
      const sent = await fetch(api(`/uploads/${uploadId}/parts/${n}`), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: clip.subarray(n * partSize, (n + 1) * partSize),
      });
      expect(sent.status).toBe(200);
    }
    const completed = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    expect([200, 201]).toContain(completed.status);
    const { media } = (await completed.json()) as { media: Media };
    expect(media).toMatchObject({ kind: 'clip', width: 1920, height: 1080 });
  });

  it('accepts a chunked upload up to the clip cap (100 MB), not beyond', async () => {
    const start = (bytes: number) =>
      fetch(api('/uploads'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'long.mov', bytes }),
      });
    expect((await start(60 * 1024 * 1024)).status).toBe(201);
    expect((await start(100 * 1024 * 1024 + 1)).status).toBe(400);
  });
});

describe('hostile clips are refused at once, and nothing is stored', () => {
  it.each<[string, () => Promise<Uint8Array<ArrayBuffer>>, number, string]>([
    ['a truncated MP4', async () => truncatedClip(), 422, 'clip_undecodable'],
    [
      'a truncated MP4 without its header',
      async () => clipFixture('landscape-h264').slice(0, 300_000),
      422,
      'clip_unreadable',
    ],
    ['an MP4 header followed by junk', async () => junkAfterHeader(), 422, 'clip_unreadable'],
    ['an MP4 claiming a duration of weeks', async () => hugeDurationClip(), 422, 'clip_too_long'],
    ['a clip wider than 8K', async () => oversizedClip((await findFfmpeg())!.path), 422, 'clip_too_large'],
    ['an MP4 holding only sound', async () => audioOnly(), 415, 'unsupported_media_type'],
  ])('%s is refused with a 4xx within a second', async (_name, make, status, code) => {
    const bytes = await make();
    const before = await mediaKeys();
    const started = performance.now();
    const { status: got, body } = await upload(bytes);
    const elapsedMs = performance.now() - started;
    expect(got, JSON.stringify(body)).toBe(status);
    expect(body.error!.code).toBe(code);
    expect(elapsedMs).toBeLessThan(1000);
    expect(await mediaKeys()).toEqual(before);
  });
});

/** The landscape fixture through ffmpeg with `args` (stream copies): a new container for the same real clip. */
async function remuxed(args: string[]): Promise<Uint8Array<ArrayBuffer>> {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sirtrav-remux-'));
  try {
    writeFileSync(join(dir, 'in.mp4'), clipFixture('landscape-h264'));
    const ffmpeg = (await findFfmpeg())!.path;
    execFileSync(ffmpeg, ['-v', 'error', '-i', join(dir, 'in.mp4'), ...args, join(dir, 'out')]);
    return new Uint8Array(readFileSync(join(dir, 'out')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixture's sound alone, in an MP4 (file-type calls it audio/mp4): not a clip. */
const audioOnly = () => remuxed(['-vn', '-c', 'copy', '-f', 'ipod']);
/** The fixture in a QuickTime MOV, as a Live Photo's motion is. */
const movClip = () => remuxed(['-c', 'copy', '-f', 'mov']);
/** A Live Photo's movie: a MOV carrying Apple's content identifier, as an iPhone writes it. */
const liveMovie = (contentId: string, seconds = '2') =>
  remuxed([
    ...['-t', seconds, '-c', 'copy', '-f', 'mov', '-movflags', 'use_metadata_tags'],
    ...['-metadata', `com.apple.quicktime.content.identifier=${contentId}`],
  ]);

describe('Live Photos', () => {
  it('a HEIC and its MOV in one request are one photo whose motion is a clip listed only through it', async () => {
    const form = new FormData();
    form.append('files', new Blob([heicFixture()], { type: 'image/heic' }), 'IMG_0077.HEIC');
    form.append('files', new Blob([await movClip()], { type: 'video/quicktime' }), 'IMG_0077.MOV');
    const response = await fetch(api('/media'), { method: 'POST', body: form });
    const body = (await response.json()) as { media: Media[] };
    expect(response.status, JSON.stringify(body)).toBe(201);
    expect(body.media).toHaveLength(1);
    const [photo] = body.media;
    expect(photo).toMatchObject({ kind: 'photo', contentType: 'image/heic', filename: 'IMG_0077.HEIC' });
    expect(photo!.liveClip!.durationSec).toBeCloseTo(2.01, 1);
    const motion = await fetch(api(`/media/${photo!.liveClip!.mediaId}`));
    expect(motion.headers.get('content-type')).toBe('video/quicktime');
    await motion.arrayBuffer();
    const listed = ((await (await fetch(api('/media'))).json()) as { media: Media[] }).media;
    expect(listed.some((m) => m.mediaId === photo!.mediaId)).toBe(true);
    expect(listed.some((m) => m.mediaId === photo!.liveClip!.mediaId)).toBe(false);

    const alone = await fetch(api(`/media/${photo!.liveClip!.mediaId}`), { method: 'DELETE' });
    expect(alone.status).toBe(409);
    expect((await fetch(api(`/media/${photo!.mediaId}`), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(api(`/media/${photo!.liveClip!.mediaId}`))).status).toBe(404);
  });

  it('a still and its movie with the same content identifier pair in one request, whatever their names', async () => {
    const id = '0A1B2C3D-0000-4000-8000-000000000001';
    const form = new FormData();
    // Names that do not match, and a decoy movie named like the still.
    form.append('files', new Blob([await livePhotoJpeg(id)], { type: 'image/jpeg' }), 'IMG_0100.JPG');
    form.append('files', new Blob([await movClip()], { type: 'video/quicktime' }), 'IMG_0100.MOV');
    form.append('files', new Blob([await liveMovie(id, '1.5')], { type: 'video/quicktime' }), 'renamed.mov');
    const response = await fetch(api('/media'), { method: 'POST', body: form });
    const body = (await response.json()) as { media: Media[] };
    expect(response.status, JSON.stringify(body)).toBe(201);
    const photo = body.media.find((m) => m.kind === 'photo')!;
    expect(photo.contentId).toBe(id);
    const motion = await getMedia(parseId(projectId), photo.liveClip!.mediaId);
    expect(motion).toMatchObject({ kind: 'clip', filename: 'renamed.mov', contentId: id, liveOf: photo.mediaId });
    // The decoy stays a clip of its own.
    expect(body.media.filter((m) => m.kind === 'clip').map((m) => m.filename)).toEqual(['IMG_0100.MOV']);
  });

  it.each(['still first', 'movie first'])(
    'a still and its movie uploaded apart are listed as one Live Photo (%s), and go together',
    async (order) => {
      const id =
        order === 'still first' ? '0A1B2C3D-0000-4000-8000-000000000002' : '0A1B2C3D-0000-4000-8000-000000000003';
      const still = async () => {
        const { status, body } = await upload(
          await livePhotoJpeg(id, order === 'still first' ? '#a47' : '#47a'),
          'image/jpeg',
        );
        expect(status, JSON.stringify(body)).toBe(201);
        return body.media[0]!;
      };
      const movie = async () => {
        const { status, body } = await upload(await liveMovie(id), 'video/quicktime');
        expect(status, JSON.stringify(body)).toBe(201);
        return body.media[0]!;
      };
      const [photo, clip] =
        order === 'still first' ? [await still(), await movie()] : [await movie(), await still()].reverse();
      expect(photo!.kind).toBe('photo');
      expect(clip!).toMatchObject({ kind: 'clip', contentId: id });
      expect(clip!.liveOf).toBeUndefined();
      const listed = ((await (await fetch(api('/media'))).json()) as { media: Media[] }).media;
      expect(listed.find((m) => m.mediaId === photo!.mediaId)!.liveClip).toEqual({
        mediaId: clip!.mediaId,
        durationSec: clip!.durationSec,
      });
      expect(listed.some((m) => m.mediaId === clip!.mediaId)).toBe(false);
      if (order === 'still first') {
        // The plan of a run with just this Live Photo plays its motion where the photo sits.
        const started = await fetch(api('/runs'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            mediaIds: [photo!.mediaId, clip!.mediaId],
            durationSec: 4,
            narration: false,
            planOnly: true,
          }),
        });
        expect(started.status, await started.clone().text()).toBe(202);
        const { runId, links } = (await started.json()) as { runId: string; links: { progress: string } };
        expect((await followProgress(links.progress, { onEvent: () => undefined }))?.status).toBe('complete');
        const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
        const shots = state.storyboard!.shots.filter((shot) => shot.kind !== 'map');
        expect(shots).toHaveLength(1);
        expect(shots[0]).toMatchObject({ kind: 'clip', mediaId: clip!.mediaId });
      }
      // Deleting the photo deletes its motion; both bytes are gone.
      expect((await fetch(api(`/media/${photo!.mediaId}`), { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(api(`/media/${clip!.mediaId}`))).status).toBe(404);
      expect((await mediaKeys()).some((key) => key.endsWith(clip!.mediaId))).toBe(false);
    },
  );
});
