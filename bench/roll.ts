import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { followProgress } from '../packages/client/src/index.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { runFfmpeg } from '../src/render/ffmpeg.js';
import type { RunState } from '../src/schemas/run.js';
import type { LocalServer } from '../src/server/local-server.js';
import { getVideo, parseId } from '../src/storage/index.js';
import { makePhoto } from '../tests/helpers/photos.js';
import { samplePeakTreeRss } from './rss.js';
import { x264Floor } from './floor.js';
import { fmt } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLIPS = resolve(ROOT, 'tests/fixtures/clips');
const DURATION = 60;

/** When the ten photos were taken: hourly over a day in Lisbon, the 5th and 6th three minutes apart. */
const TAKEN = ['09:00', '10:00', '11:00', '12:00', '13:00', '13:03', '14:00', '15:00', '16:00', '17:00'];

/** Ten phone-sized photos, the 5th and 6th upright (a portrait pair). */
async function photos(): Promise<Array<Uint8Array<ArrayBuffer>>> {
  return Promise.all(
    TAKEN.map((time, i) => {
      const upright = i === 4 || i === 5;
      return makePhoto('jpeg', {
        width: upright ? 3000 : 4000,
        height: upright ? 4000 : 3000,
        seed: 200 + i,
        takenAt: `2024:07:14 ${time}:00`,
        offset: '+01:00',
        gps: { lat: [38, 42, 30], latRef: 'N', lon: [9, 8, 24], lonRef: 'W' },
      });
    }),
  );
}

/** The three licensed clips, and a fourth cut from one of them (a later start: other bytes, another clip). */
async function clips(dir: string, ffmpeg: string): Promise<Array<Uint8Array<ArrayBuffer>>> {
  const names = ['landscape-h264.mp4', 'portrait-rotated-h264.mp4', 'landscape-hevc.mp4'];
  const read = await Promise.all(names.map((name) => readFile(join(CLIPS, name))));
  const cut = join(dir, 'cut.mp4');
  await runFfmpeg(ffmpeg, [
    '-ss',
    '1',
    '-i',
    join(CLIPS, 'landscape-hevc.mp4'),
    '-c',
    'copy',
    '-metadata',
    'creation_time=2024-07-14T15:30:00Z',
    cut,
  ]);
  return [...read, await readFile(cut)].map((bytes) => new Uint8Array(bytes));
}

/**
 * `npm run bench roll`: a camera roll (10 photos, two of them a portrait pair, and 4 clips, H.264 and HEVC, one
 * recorded upright) → 60 s 1080p over HTTP on the local server: the run's wall time against x264 alone encoding the
 * same frames with the same settings, and the peak RSS of the server and its render processes.
 */
export async function benchRoll(server: LocalServer): Promise<void> {
  const ffmpeg = (await findFfmpeg())!.path;
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-bench-roll-'));
  try {
    const created = await fetch(`${server.url}/api/projects`, { method: 'POST' });
    const { projectId } = (await created.json()) as { projectId: string };
    const api = (path: string) => `${server.url}/api/projects/${projectId}${path}`;
    const upload = async (bytes: Uint8Array<ArrayBuffer>, type: string) => {
      const response = await fetch(api('/media'), { method: 'POST', headers: { 'content-type': type }, body: bytes });
      if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
    };
    for (const photo of await photos()) await upload(photo, 'image/jpeg');
    for (const clip of await clips(dir, ffmpeg)) await upload(clip, 'video/mp4');

    const rss = samplePeakTreeRss(process.pid);
    const started = performance.now();
    const response = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: DURATION, resolution: '1080p', title: 'A day in Lisbon', narration: true }),
    });
    if (response.status !== 202) throw new Error(`run refused: ${response.status} ${await response.text()}`);
    const { runId, links } = (await response.json()) as { runId: string; links: { progress: string } };
    const final = await followProgress(links.progress, { onEvent: () => undefined });
    const runSec = (performance.now() - started) / 1000;
    const peak = rss.stop();
    const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
    if (final?.status !== 'complete' || state.status !== 'complete')
      throw new Error(`run ${runId} ended ${final?.status}`);
    const storyboard = state.storyboard!;
    const file = join(dir, 'final.mp4');
    await writeFile(file, (await getVideo(parseId(runId)))!.data);

    const { sec: floorSec, peakMb: floorPeak } = await x264Floor(ffmpeg, file, storyboard);

    const kinds = storyboard.shots.map((shot) => (shot.framing === 'pair' ? 'pair' : shot.kind));
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    console.log(
      `\n## Camera roll: 10 photos + 4 clips → ${DURATION} s ${storyboard.width}×${storyboard.height} (${count('photo')} photo shots, ${count('pair')} portrait pair, ${count('clip')} clips, ${count('map')} map), over HTTP`,
    );
    console.log('| measure | the run | floor (x264 alone, same frames and settings) | ratio |');
    console.log('|---|---|---|---|');
    console.log(`| wall time | ${fmt(runSec)} s | ${fmt(floorSec)} s | ${fmt(runSec / floorSec)} × floor |`);
    console.log(
      `| peak RSS, largest render process with its ffmpeg (what one function holds; limit 1024 MB) | ${fmt(peak.largestMb, 0)} MB | ${fmt(floorPeak, 0)} MB | |`,
    );
    console.log(
      `| peak private memory of that process and its ffmpeg (RSS less the binaries' shared pages) | ${fmt(peak.largestPrivateMb, 0)} MB | | |`,
    );
    console.log(`| peak RSS, the server and all its render processes | ${fmt(peak.totalMb, 0)} MB | | |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
