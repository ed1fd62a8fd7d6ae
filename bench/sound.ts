import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followProgress } from '../packages/client/src/index.js';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { integratedLoudness } from '../src/render/sound/loudness.js';
import { measureLoudness } from '../src/render/sound/measure.js';
import { mixSoundtrack } from '../src/render/sound/mix.js';
import { decodeWav } from '../src/render/sound/wav.js';
import type { RunState } from '../src/schemas/run.js';
import type { LocalServer } from '../src/server/local-server.js';
import { getBinary, keys, type Id } from '../src/storage/index.js';
import { makePhoto } from '../tests/helpers/photos.js';
import { fmt } from './stats.js';

const TOWNS: Array<{
  lat: [number, number, number];
  latRef: 'N' | 'S';
  lon: [number, number, number];
  lonRef: 'E' | 'W';
}> = [
  { lat: [46, 22, 6], latRef: 'N', lon: [14, 6, 52], lonRef: 'E' }, // Bled
  { lat: [46, 35, 36], latRef: 'N', lon: [7, 54, 28], lonRef: 'E' }, // Lauterbrunnen
  { lat: [54, 48, 7], latRef: 'S', lon: [68, 18, 11], lonRef: 'W' }, // Ushuaia
  { lat: [19, 21, 30], latRef: 'N', lon: [98, 26, 25], lonRef: 'E' }, // Pai
];

/** A narrated 30 s run: its loudness, true peak and voice over music, measured on the decoded video (the geocoder's cost: bench/places.ts). */
export async function benchSound(server: LocalServer): Promise<void> {
  const { projectId } = (await (await fetch(`${server.url}/api/projects`, { method: 'POST' })).json()) as {
    projectId: Id;
  };
  for (let i = 0; i < 8; i++) {
    const photo = await makePhoto('jpeg', {
      width: 1600,
      height: 1200,
      seed: i,
      takenAt: `2024:07:${10 + Math.floor(i / 2) * 2} 1${i % 10}:00:00`,
      offset: '+01:00',
      gps: TOWNS[Math.floor(i / 2)]!,
    });
    await fetch(`${server.url}/api/projects/${projectId}/media`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: photo,
    });
  }
  const started = await fetch(`${server.url}/api/projects/${projectId}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ durationSec: 30, resolution: '360p', theme: 'Four corners' }),
  });
  const { runId, links } = (await started.json()) as { runId: Id; links: { progress: string; video: string } };
  const state = (await followProgress(links.progress, { onEvent: () => undefined })) as RunState;
  if (state.status !== 'complete') throw new Error(`sound bench run ended ${state.status}`);
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-bench-sound-'));
  try {
    const file = join(dir, 'video.mp4');
    await writeFile(file, new Uint8Array(await (await fetch(links.video)).arrayBuffer()));
    const ffmpeg = (await findFfmpeg())!.path;
    const output = await measureLoudness(ffmpeg, file);
    const music = decodeWav((await getBinary(keys.music(projectId, runId, 'wav')))!.data)!;
    const voice = decodeWav((await getBinary(keys.voice(projectId, runId, 'wav')))!.data)!;
    const mixStarted = performance.now();
    const { figures } = await mixSoundtrack({ music, voice, durationSec: state.storyboard!.durationSec });
    const mixSec = (performance.now() - mixStarted) / 1000;
    const grid = state.storyboard!.music!;
    const beat = 60 / grid.bpm;
    const offBeat = Math.max(
      ...state
        .storyboard!.shots.slice(1)
        .map((shot) =>
          Math.abs(
            shot.startSec - (grid.beatOffsetSec + Math.round((shot.startSec - grid.beatOffsetSec) / beat) * beat),
          ),
        ),
    );

    console.log('\n## Sound: a narrated 30 s 360p run (4 towns on 3 continents), measured on the decoded video');
    console.log('| measure | value | target / floor |');
    console.log('|---|---|---|');
    console.log(
      `| integrated loudness | ${fmt(output.integratedLufs)} LUFS | -16 ±1 (the synthesised music alone: ${fmt(integratedLoudness(music))} LUFS) |`,
    );
    console.log(`| true peak | ${fmt(output.truePeakDbtp)} dBTP | ≤ -1.5 |`);
    console.log(
      `| voice over ducked music, while speaking | ${fmt(figures.voiceOverMusicDb ?? Number.NaN)} dB | ≥ 10 |`,
    );
    console.log(`| cuts off the beat grid (worst) | ${fmt(offBeat * 1000)} ms | ≤ 33 (one frame) |`);
    console.log(`| mixing + normalising ${state.storyboard!.durationSec} s of audio | ${fmt(mixSec)} s | |`);
    console.log(
      `| narration | ${state.storyboard!.narration.segments!.map((s) => `${s.startSec}s "${s.text}"`).join(' · ')} | |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
