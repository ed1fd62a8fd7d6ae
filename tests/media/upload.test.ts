import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { analysePhoto } from '../../src/media/analyse.js';
import { inspectImage } from '../../src/media/inspect.js';
import type { Media } from '../../src/schemas/media.js';
import { listKeyPages } from '../../src/storage/index.js';
import { rawRequest } from '../helpers/http.js';
import { heicFixture, makeBombPng, makeLargeJpeg, makePhoto, type Format } from '../helpers/photos.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
let projectId = '';
const api = (path: string) => `${server.current.url}/api/projects/${projectId}${path}`;

beforeAll(async () => {
  const response = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
  projectId = ((await response.json()) as { projectId: string }).projectId;
});
afterEach(() => vi.unstubAllEnvs());

async function mediaKeys(): Promise<string[]> {
  const found: string[] = [];
  for await (const page of listKeyPages('media', '')) found.push(...page);
  return found.sort();
}

async function upload(bytes: Uint8Array<ArrayBuffer>, type = 'application/octet-stream', filename?: string) {
  const response = await fetch(api('/media'), {
    method: 'POST',
    headers: { 'content-type': type, ...(filename ? { 'x-filename': filename } : {}) },
    body: bytes,
  });
  return {
    status: response.status,
    body: (await response.json()) as { media: Media[]; error?: { code: string; message: string } },
  };
}

const lisbon = {
  lat: [38, 42, 30] as [number, number, number],
  latRef: 'N' as const,
  lon: [9, 8, 24] as [number, number, number],
  lonRef: 'W' as const,
};

describe('direct upload', () => {
  it.each<[Format | 'heic', string]>([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['avif', 'image/avif'],
    ['heic', 'image/heic'],
  ])(
    '%s round-trips byte-identical with its sniffed type, measured for the director as it is stored',
    async (format, contentType) => {
      const bytes = format === 'heic' ? heicFixture() : await makePhoto(format, { seed: format.length });
      const { status, body } = await upload(bytes, 'application/octet-stream', `holiday.${format}`);
      expect(status).toBe(201);
      const [media] = body.media;
      expect(media).toMatchObject({
        contentType,
        bytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        filename: `holiday.${format}`,
      });
      // What the director needs of the pixels is measured once, here: exactly what it would measure from the bytes.
      expect(media!.analysis).toEqual(await analysePhoto(media!, bytes));
      expect(media!.analysis!.hash).toMatch(/^[01]{64}$/);
      const back = await fetch(api(`/media/${media!.mediaId}`));
      expect(back.status).toBe(200);
      expect(back.headers.get('content-type')).toBe(contentType);
      expect(back.headers.get('etag')).toBe(`"${media!.sha256}"`);
      expect(Buffer.from(await back.arrayBuffer()).equals(bytes)).toBe(true);
      const cached = await fetch(api(`/media/${media!.mediaId}`), {
        headers: { 'if-none-match': `"${media!.sha256}"` },
      });
      expect(cached.status).toBe(304);
    },
  );

  it('reads the HEIC fixture’s EXIF: date with offset, GPS, size', async () => {
    const { body } = await upload(heicFixture());
    expect(body.media[0]).toMatchObject({
      width: 96,
      height: 64,
      takenAt: '2025-05-03T09:15:42-04:00',
      camera: { make: 'Apple', model: 'iPhone 15' },
    });
    expect(body.media[0]!.gps!.latitude).toBeCloseTo(40.6893, 3);
    expect(body.media[0]!.gps!.longitude).toBeCloseTo(-74.0445, 3);
  });

  it.each(['America/New_York', 'UTC', 'Asia/Kathmandu'])(
    'EXIF date, offset, GPS and orientation come back the same under TZ=%s',
    async (tz) => {
      vi.stubEnv('TZ', tz);
      expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(
        { 'America/New_York': 300, UTC: 0, 'Asia/Kathmandu': -345 }[tz],
      );
      const bytes = await makePhoto('jpeg', {
        width: 320,
        height: 240,
        seed: 40 + tz.length,
        takenAt: '2024:07:14 18:30:05',
        offset: '+01:00',
        gps: lisbon,
        orientation: 6,
        make: 'Canon',
        model: 'EOS R6',
      });
      const facts = await inspectImage(bytes);
      expect(facts).toMatchObject({ takenAt: '2024-07-14T18:30:05+01:00', orientation: 6, width: 240, height: 320 });
      const { status, body } = await upload(bytes);
      expect(status).toBe(201);
      expect(body.media[0]).toMatchObject({
        takenAt: '2024-07-14T18:30:05+01:00',
        orientation: 6,
        width: 240,
        height: 320,
        camera: { make: 'Canon', model: 'EOS R6' },
      });
      expect(body.media[0]!.gps!.latitude).toBeCloseTo(38.7083, 3);
      expect(body.media[0]!.gps!.longitude).toBeCloseTo(-9.14, 3);
    },
  );

  it('keeps a date without an offset as local wall-clock time, and no EXIF as null', async () => {
    const local = await upload(await makePhoto('png', { seed: 60, takenAt: '2023:12:31 23:59:59' }));
    expect(local.body.media[0]).toMatchObject({ takenAt: '2023-12-31T23:59:59', gps: null });
    const bare = await upload(await makePhoto('webp', { seed: 61 }));
    expect(bare.body.media[0]).toMatchObject({ takenAt: null, gps: null, camera: null, orientation: 1 });
  });

  it('the same photo twice gives the same mediaId and one blob', async () => {
    const bytes = await makePhoto('jpeg', { seed: 70 });
    const before = await mediaKeys();
    const first = await upload(bytes);
    const second = await upload(bytes);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.media[0]!.mediaId).toBe(first.body.media[0]!.mediaId);
    expect((await mediaKeys()).length).toBe(before.length + 1);
  });

  it('accepts several files in one multipart request, and stores none if one is bad', async () => {
    const form = new FormData();
    form.append('photos', new Blob([await makePhoto('jpeg', { seed: 80 })]), 'a.jpg');
    form.append('photos', new Blob([await makePhoto('png', { seed: 81 })]), 'b.png');
    const response = await fetch(api('/media'), { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { media: Media[] };
    expect(body.media.map((m) => [m.filename, m.contentType])).toEqual([
      ['a.jpg', 'image/jpeg'],
      ['b.png', 'image/png'],
    ]);

    const before = await mediaKeys();
    const bad = new FormData();
    bad.append('photos', new Blob([await makePhoto('jpeg', { seed: 82 })]), 'good.jpg');
    bad.append('photos', new Blob(['not an image']), 'bad.jpg');
    const refused = await fetch(api('/media'), { method: 'POST', body: bad });
    expect(refused.status).toBe(415);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('bad.jpg');
    expect(await mediaKeys()).toEqual(before);
  });

  it('lists photos from metadata and deletes them', async () => {
    const { body } = await upload(await makePhoto('jpeg', { seed: 90 }));
    const id = body.media[0]!.mediaId;
    const list = (await (await fetch(api('/media'))).json()) as { media: Media[] };
    expect(list.media.map((m) => m.mediaId)).toContain(id);
    expect((await fetch(api(`/media/${id}`), { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(api(`/media/${id}`))).status).toBe(404);
    const again = await fetch(api(`/media/${id}`), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('media_not_found');
  });
});

describe('bad uploads are refused and leave nothing behind', () => {
  it('refuses each with the right status and code', async () => {
    const before = await mediaKeys();
    const jpeg = await makePhoto('jpeg', { seed: 100, width: 640, height: 480 });
    const cases: Array<[string, () => Promise<{ status: number; code: string | undefined }>, number, string]> = [
      [
        'text renamed .jpg',
        async () =>
          ((r) => ({ status: r.status, code: r.body.error?.code }))(
            await upload(Buffer.from('hello, this is not a photo\n'.repeat(20)), 'image/jpeg', 'x.jpg'),
          ),
        415,
        'unsupported_media_type',
      ],
      [
        'a PDF',
        async () =>
          ((r) => ({ status: r.status, code: r.body.error?.code }))(
            await upload(Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n')),
          ),
        415,
        'unsupported_media_type',
      ],
      [
        'truncated JPEG',
        async () =>
          ((r) => ({ status: r.status, code: r.body.error?.code }))(
            await upload(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))),
          ),
        422,
        'corrupt_image',
      ],
      [
        'empty body',
        async () =>
          ((r) => ({ status: r.status, code: r.body.error?.code }))(await upload(new Uint8Array(0), 'image/jpeg')),
        400,
        'empty_body',
      ],
      [
        '5 MB direct',
        async () =>
          ((r) => ({ status: r.status, code: r.body.error?.code }))(
            await upload(new Uint8Array(5 * 1024 * 1024), 'image/jpeg'),
          ),
        413,
        'payload_too_large',
      ],
      [
        '20000×20000 PNG',
        async () => ((r) => ({ status: r.status, code: r.body.error?.code }))(await upload(makeBombPng())),
        422,
        'image_too_large',
      ],
      [
        'JSON content type',
        async () => ((r) => ({ status: r.status, code: r.body.error?.code }))(await upload(jpeg, 'application/json')),
        415,
        'unsupported_media_type',
      ],
    ];
    for (const [name, send, status, code] of cases) {
      const result = await send();
      expect(result, name).toEqual({ status, code });
    }
    expect(await mediaKeys()).toEqual(before);
  });

  it('the 413 names the chunked route', async () => {
    const { body } = await upload(new Uint8Array(5 * 1024 * 1024), 'image/jpeg');
    expect(body.error!.message).toContain('/uploads');
  });

  it('ids with "..", "/" or other characters are 400 and store nothing', async () => {
    const before = await mediaKeys();
    for (const bad of ['..%2F..%2Fx', 'a%2Fb', 'a.b', '%2e%2e%2fx', 'x'.repeat(65)]) {
      const response = await rawRequest(server.current.url, `/api/projects/${projectId}/media/${bad}`);
      expect(response.status, bad).toBe(400);
      const post = await rawRequest(server.current.url, `/api/projects/${bad}/media`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: 'x',
      });
      expect(post.status, bad).toBe(400);
    }
    expect(await mediaKeys()).toEqual(before);
  });

  it('caps the photos per project with a clear 409', async () => {
    vi.stubEnv('SIRTRAV_MAX_PHOTOS', '1');
    const created = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
    const other = ((await created.json()) as { projectId: string }).projectId;
    const post = async (seed: number) =>
      fetch(`${server.current.url}/api/projects/${other}/media`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: await makePhoto('png', { seed }),
      });
    expect((await post(110)).status).toBe(201);
    const refused = await post(111);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('media_limit_reached');
  });

  it('the cap holds under concurrent uploads: of 8 new photos sent at once to a project one short of 5, 2 are stored', async () => {
    vi.stubEnv('SIRTRAV_MAX_PHOTOS', '5');
    const created = await fetch(`${server.current.url}/api/projects`, { method: 'POST' });
    const other = ((await created.json()) as { projectId: string }).projectId;
    const photos = await Promise.all(Array.from({ length: 11 }, (_, i) => makePhoto('png', { seed: 200 + i })));
    const post = (bytes: Uint8Array<ArrayBuffer>) =>
      fetch(`${server.current.url}/api/projects/${other}/media`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: bytes,
      });
    for (const bytes of photos.slice(0, 3)) expect((await post(bytes)).status).toBe(201);
    const answers = await Promise.all(photos.slice(3).map(post));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 409, 409, 409, 409, 409, 409]);
    const listed = (await (await fetch(`${server.current.url}/api/projects/${other}/media`)).json()) as {
      media: Media[];
    };
    expect(listed.media).toHaveLength(5);
    // The same bytes again are not a new photo: still accepted at the cap.
    expect((await post(photos[0]!)).status).toBe(200);
  });
});

describe('chunked upload', () => {
  it('a 12 MB photo sent in parts out of order, one twice, arrives byte-identical', async () => {
    const photo = await makeLargeJpeg();
    expect(photo.byteLength).toBeGreaterThan(10_000_000);
    const sha256 = createHash('sha256').update(photo).digest('hex');
    const started = await fetch(api('/uploads'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'IMG_0001.JPG', bytes: photo.byteLength, sha256 }),
    });
    expect(started.status).toBe(201);
    const { uploadId, partSize, partCount } = (await started.json()) as {
      uploadId: string;
      partSize: number;
      partCount: number;
    };
    expect(partCount).toBe(Math.ceil(photo.byteLength / partSize));

    const send = (n: number) =>
      fetch(api(`/uploads/${uploadId}/parts/${n}`), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: photo.subarray(n * partSize, (n + 1) * partSize),
      });
    const order = [...Array(partCount).keys()].reverse();
    for (const n of order) expect((await send(n)).status).toBe(200);
    const resent = await send(0);
    expect(await resent.json()).toEqual({ n: 0, bytes: partSize });

    const completed = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    expect(completed.status).toBe(201);
    const { media } = (await completed.json()) as { media: Media };
    expect(media).toMatchObject({
      sha256,
      bytes: photo.byteLength,
      width: 4000,
      height: 3000,
      filename: 'IMG_0001.JPG',
    });
    const back = Buffer.from(await (await fetch(api(`/media/${media.mediaId}`))).arrayBuffer());
    expect(back.equals(photo)).toBe(true);
    // Parts are gone; a retried complete gives the same photo.
    expect((await mediaKeys()).filter((key) => key.includes(`/uploads/${uploadId}/parts/`))).toEqual([]);
    const retried = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { media: Media }).media.mediaId).toBe(media.mediaId);
  });

  it('checks part sizes, missing parts, the checksum and the declared size', async () => {
    const photo = await makePhoto('jpeg', { seed: 120, width: 800, height: 600 });
    const start = async (body: object) =>
      fetch(api('/uploads'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await start({ filename: 'x.jpg', bytes: 110 * 1024 * 1024 })).status).toBe(400);
    expect((await start({ filename: 'x.jpg', bytes: -1 })).status).toBe(400);

    const wrongSum = '0'.repeat(64);
    const { uploadId } = (await (
      await start({ filename: 'x.jpg', bytes: photo.byteLength, sha256: wrongSum })
    ).json()) as { uploadId: string };
    const short = await fetch(api(`/uploads/${uploadId}/parts/0`), { method: 'PUT', body: photo.subarray(0, 10) });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { code: string } }).error.code).toBe('part_size_mismatch');
    expect((await fetch(api(`/uploads/${uploadId}/parts/5`), { method: 'PUT', body: photo })).status).toBe(400);

    const incomplete = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    expect(incomplete.status).toBe(409);
    expect(await incomplete.json()).toMatchObject({ error: { code: 'upload_incomplete', details: { missing: [0] } } });

    expect((await fetch(api(`/uploads/${uploadId}/parts/0`), { method: 'PUT', body: photo })).status).toBe(200);
    const mismatch = await fetch(api(`/uploads/${uploadId}/complete`), { method: 'POST' });
    expect(mismatch.status).toBe(422);
    expect(((await mismatch.json()) as { error: { code: string } }).error.code).toBe('checksum_mismatch');
    expect((await fetch(api('/uploads/u_nothing/complete'), { method: 'POST' })).status).toBe(404);
  });
});
