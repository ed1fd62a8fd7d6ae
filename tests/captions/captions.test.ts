import { parseSync, type NodeCue } from 'subtitle';
import { describe, expect, it } from 'vitest';
import { toSrt, toWebVtt } from '../../src/captions/index.js';
import { decodeWav } from '../../src/render/sound/wav.js';
import { createProject } from '../../src/projects/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { getBinary, keys, parseId } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { makeCompleteRun, makeQueuedRun } from '../helpers/runs.js';
import { followProgress } from '../../packages/client/src/index.js';
import { useLocalServer } from '../helpers/server.js';

const cuesOf = (text: string) =>
  parseSync(text)
    .filter((node): node is NodeCue => node.type === 'cue')
    .map(({ data }) => ({ startSec: data.start / 1000, endSec: data.end / 1000, text: data.text }));
const unescapeVtt = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('caption files', () => {
  const cues = [
    { startSec: 0.6, endSec: 3.25, text: 'Fish & chips <at> the pier --> then\nhome.' },
    { startSec: 3725.0004, endSec: 3727.9996, text: 'An hour later.' },
  ];

  it('WebVTT: the header, HH:MM:SS.mmm times, and &, <, > escaped so the text reads back as written', () => {
    const vtt = toWebVtt(cues);
    expect(vtt).toBe(
      'WEBVTT\n\n1\n00:00:00.600 --> 00:00:03.250\nFish &amp; chips &lt;at&gt; the pier --&gt; then home.\n\n2\n01:02:05.000 --> 01:02:08.000\nAn hour later.\n',
    );
    const parsed = cuesOf(vtt);
    expect(parsed.map((cue) => [cue.startSec, cue.endSec])).toEqual([
      [0.6, 3.25],
      [3725, 3728],
    ]);
    expect(unescapeVtt(parsed[0]!.text)).toBe('Fish & chips <at> the pier --> then home.');
  });

  it('SRT: cues numbered from 1 with HH:MM:SS,mmm times', () => {
    const srt = toSrt(cues);
    expect(srt).toMatch(
      /^1\n00:00:00,600 --> 00:00:03,250\nFish & chips <at> the pier --> then home\.\n\n2\n01:02:05,000 --> 01:02:08,000\n/,
    );
    expect(cuesOf(srt)).toEqual([
      { startSec: 0.6, endSec: 3.25, text: 'Fish & chips <at> the pier --> then home.' },
      { startSec: 3725, endSec: 3728, text: 'An hour later.' },
    ]);
  });

  it('no lines: a valid WebVTT file with no cues, and an empty SRT file', () => {
    expect(toWebVtt([])).toBe('WEBVTT\n');
    expect(parseSync(toWebVtt([]))).toEqual([{ type: 'header', data: 'WEBVTT' }]);
    expect(toSrt([])).toBe('');
  });
});

const server = useLocalServer();

describe('captions of a rendered run', () => {
  it('match the narration lines within 0.1 s, and start and end where the voice is heard', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 4, 60);
    const started = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 16, resolution: '360p', narration: true, theme: 'Lisbon & Sintra' }),
    });
    const { runId, links } = (await started.json()) as { runId: string; links: { progress: string; self: string } };
    const final = (await followProgress(links.progress, { onEvent: () => undefined })) as RunState | null;
    expect(final?.status).toBe('complete');
    const segments = final!.storyboard!.narration.segments!;
    expect(segments.length).toBeGreaterThanOrEqual(2);

    const vttResponse = await fetch(api(`/runs/${runId}/captions.vtt`));
    expect(vttResponse.status).toBe(200);
    expect(vttResponse.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    const vtt = await vttResponse.text();
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    const srtResponse = await fetch(api(`/runs/${runId}/captions.srt`));
    expect(srtResponse.headers.get('content-type')).toBe('application/x-subrip; charset=utf-8');
    const fromVtt = cuesOf(vtt).map((cue) => ({ ...cue, text: unescapeVtt(cue.text) }));
    const fromSrt = cuesOf(await srtResponse.text());
    expect(fromSrt).toEqual(fromVtt);
    // Every line fits its place here (the voice leaves out a line only when it runs into the next).
    expect(fromVtt.length).toBe(segments.length);

    const voice = decodeWav((await getBinary(keys.voice(parseId(projectId), parseId(runId), 'wav')))!.data)!;
    const samples = voice.channels[0]!;
    const heard = (from: number, to: number) => {
      const [first, last] = [
        Math.max(0, Math.round(from * voice.sampleRate)),
        Math.min(samples.length, Math.round(to * voice.sampleRate)),
      ];
      let start = -1;
      let end = -1;
      for (let i = first; i < last; i++) {
        if (Math.abs(samples[i]!) < 10 ** (-50 / 20)) continue;
        if (start < 0) start = i;
        end = i;
      }
      return { startSec: start / voice.sampleRate, endSec: end / voice.sampleRate };
    };
    for (const [i, cue] of fromVtt.entries()) {
      const segment = segments[i]!;
      expect(cue.text).toBe(segment.text);
      expect(Math.abs(cue.startSec - segment.startSec), segment.text).toBeLessThanOrEqual(0.1);
      expect(cue.endSec).toBeGreaterThan(cue.startSec + 0.3);
      expect(cue.endSec).toBeLessThanOrEqual(segments[i + 1]?.startSec ?? 16);
      // What the voice track holds between this line's start and the next line's: the cue covers it, within 0.1 s.
      const voiced = heard(segment.startSec - 0.05, segments[i + 1]?.startSec ?? 16);
      expect(Math.abs(voiced.startSec - cue.startSec), `start of "${segment.text}"`).toBeLessThanOrEqual(0.1);
      expect(Math.abs(voiced.endSec - cue.endSec), `end of "${segment.text}"`).toBeLessThanOrEqual(0.1);
    }
  });

  it('a run without narration gets valid empty files; one not complete 409; an unknown one 404', async () => {
    const { projectId } = await createProject('captions');
    const quiet = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    const base = `${server.current.url}/api/projects/${projectId}/runs`;
    const vtt = await fetch(`${base}/${quiet}/captions.vtt`);
    expect(vtt.status).toBe(200);
    expect(await vtt.text()).toBe('WEBVTT\n');
    const srt = await fetch(`${base}/${quiet}/captions.srt`);
    expect(srt.status).toBe(200);
    expect(await srt.text()).toBe('');

    const queued = await makeQueuedRun();
    const notYet = await fetch(
      `${server.current.url}/api/projects/${queued.projectId}/runs/${queued.runId}/captions.vtt`,
    );
    expect(notYet.status).toBe(409);
    expect(await notYet.json()).toMatchObject({ error: { code: 'run_not_complete' } });
    expect((await fetch(`${base}/r_missing/captions.srt`)).status).toBe(404);
  });
});
