/**
 * `npm run readme-images`: the README's pictures of a real run on the local server.
 * - docs/images/camera-roll.jpg: one frame per shot of a video made from the sample photos, two phone-style clips
 *   (one recorded upright) and two portrait photos taken minutes apart (a pair), with each shot's kind under it;
 * - docs/images/share.jpg: the video's share page in Chromium, beside the card a chat app builds from its Open Graph
 *   tags (title, description and image, read from the page as a crawler reads it).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { SirTravClient } from '../packages/client/src/index.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { startLocalServer } from '../src/server/local-server.js';
import { launchBrowser } from '../tests/helpers/browser.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLIPS = ['landscape-h264.mp4', 'portrait-rotated-h264.mp4'];
/** Two of the licensed test photographs, cut upright and dated three minutes apart in Lisbon: one moment. */
const PORTRAITS = ['coffee', 'chelsea'];
const run = promisify(execFile);

const scratch = await mkdtemp(join(tmpdir(), 'sirtrav-readme-'));
const server = await startLocalServer({ blobsDirectory: join(scratch, 'blobs') });
const browser = await launchBrowser();
try {
  const client = new SirTravClient({ baseUrl: server.url });
  const created = await client.createProject('README pictures');
  const project = client.forProject(created.projectId, created.token);
  const photos = (await readdir(join(ROOT, 'samples'))).filter((file) => file.endsWith('.jpg')).sort();
  for (const file of photos) await project.uploadPhoto(await readFile(join(ROOT, 'samples', file)), file);
  for (const file of CLIPS) await project.uploadPhoto(await readFile(join(ROOT, 'tests/fixtures/clips', file)), file);
  for (const [i, name] of PORTRAITS.entries())
    await project.uploadPhoto(await portraitPhoto(name, `2024:07:14 19:1${i * 3}:00`), `${name}-portrait.jpg`);

  const { runId } = await project.startRun({
    theme: 'A week in Portugal',
    durationSec: 30,
    resolution: '720p',
    captions: true,
  });
  const final = await project.follow(runId, { onEvent: () => undefined });
  if (final.status !== 'complete') throw new Error(`the run ended ${final.status}`);
  const videoFile = join(scratch, 'video.mp4');
  await writeFile(videoFile, await project.downloadVideo(runId));
  await contactSheet(videoFile, final.storyboard!.shots);
  await sharePicture(created.projectId, created.token, runId);
  console.log('wrote docs/images/camera-roll.jpg and docs/images/share.jpg');
} finally {
  await browser.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}

/** A licensed test photograph cut to portrait (2:3), with the EXIF time and GPS a phone would give it. */
async function portraitPhoto(name: string, takenAt: string): Promise<Buffer> {
  const source = await readFile(join(ROOT, 'tests/fixtures/photos', `${name}.jpg`));
  const { width, height } = await sharp(source).metadata();
  const cut = Math.round((height * 2) / 3);
  return sharp(source)
    .extract({ left: Math.round((width - cut) / 2), top: 0, width: cut, height })
    .withExif({
      IFD2: { DateTimeOriginal: takenAt, OffsetTimeOriginal: '+01:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '38/1 42/1 40/1', GPSLongitudeRef: 'W', GPSLongitude: '9/1 8/1 30/1' },
    })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** A frame from the middle of each shot, four to a row, each labelled with its kind and place. */
async function contactSheet(
  videoFile: string,
  shots: Array<{ kind: string; framing?: string; startSec: number; durationSec: number; place: string | null }>,
): Promise<void> {
  const found = await findFfmpeg();
  if (!found) throw new Error('no ffmpeg found');
  const ffmpeg = found.path;
  const width = 320;
  const height = 180;
  const tiles = await Promise.all(
    shots.map(async (shot, i) => {
      const file = join(scratch, `shot-${i}.png`);
      const at = (shot.startSec + shot.durationSec / 2).toFixed(2);
      await run(ffmpeg, [
        '-v',
        'error',
        '-ss',
        at,
        '-i',
        videoFile,
        '-frames:v',
        '1',
        '-s',
        `${width}x${height}`,
        file,
      ]);
      const kind = shot.framing === 'pair' ? 'portrait pair' : shot.kind;
      const label = `${i + 1}. ${kind}${shot.place ? ` · ${shot.place}` : ''}`.replace(/&/g, '&amp;');
      const caption = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="28"><rect width="100%" height="100%" fill="#111"/>` +
          `<text x="8" y="19" font-family="sans-serif" font-size="15" fill="#eee">${label}</text></svg>`,
      );
      return sharp({ create: { width, height: height + 28, channels: 3, background: '#111' } })
        .composite([
          { input: file, top: 0, left: 0 },
          { input: caption, top: height, left: 0 },
        ])
        .png()
        .toBuffer();
    }),
  );
  const columns = 4;
  const rows = Math.ceil(tiles.length / columns);
  const gap = 6;
  await sharp({
    create: {
      width: columns * width + (columns + 1) * gap,
      height: rows * (height + 28) + (rows + 1) * gap,
      channels: 3,
      background: '#000',
    },
  })
    .composite(
      tiles.map((input, i) => ({
        input,
        left: gap + (i % columns) * (width + gap),
        top: gap + Math.floor(i / columns) * (height + 28 + gap),
      })),
    )
    .jpeg({ quality: 78 })
    .toFile(join(ROOT, 'docs/images/camera-roll.jpg'));
}

/** The share page as a visitor sees it, and the card its Open Graph tags give in a chat app. */
async function sharePicture(projectId: string, token: string, runId: string): Promise<void> {
  const response = await fetch(`${server.url}/api/projects/${projectId}/runs/${runId}/share`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ expiresInSec: 3600 }),
  });
  if (response.status !== 201) throw new Error(`share answered ${response.status}`);
  const { url } = (await response.json()) as { url: string };
  const html = await (await fetch(url)).text();
  const tag = (property: string) =>
    new RegExp(`<meta[^>]+(?:property|name)="${property}"[^>]+content="([^"]*)"`).exec(html)?.[1] ?? '';
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  await page.goto(url);
  await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2);
  const pageShot = await page.screenshot();
  const card = `<!doctype html><body style="margin:0;background:#e5ddd5;font-family:sans-serif">
    <div style="margin:24px;width:380px;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px #0003">
      <img src="${tag('og:image')}" style="width:100%;display:block">
      <div style="padding:10px 12px"><div style="font-weight:600">${tag('og:title')}</div>
      <div style="color:#555;font-size:14px;margin-top:4px">${tag('og:description')}</div>
      <div style="color:#888;font-size:12px;margin-top:6px">${new URL(url).host}</div></div></div></body>`;
  await page.setViewportSize({ width: 428, height: 640 });
  await page.setContent(card);
  await page.waitForFunction(() => document.querySelector('img')?.complete === true);
  const cardShot = await page.screenshot();
  await page.close();
  await sharp({ create: { width: 900 + 428, height: 640, channels: 3, background: '#fff' } })
    .composite([
      { input: pageShot, left: 0, top: 0 },
      { input: cardShot, left: 900, top: 0 },
    ])
    .jpeg({ quality: 75 })
    .toFile(join(ROOT, 'docs/images/share.jpg'));
}
