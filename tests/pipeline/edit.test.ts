import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNarrationTiming } from '../../src/captions/timing.js';
import { findFfmpeg } from '../../src/media/find-ffmpeg.js';
import { fpsOf, frameSpans } from '../../src/render/graph.js';
import { decodeWav } from '../../src/render/sound/wav.js';
import type { RunState } from '../../src/schemas/run.js';
import { deleteVideo, getBinary, getVideo, keys, parseId } from '../../src/storage/index.js';
import { createProjectOverHttp, runToEnd, uploadPhotos } from '../helpers/api.js';
import { ebur128 } from '../helpers/audio.js';
import { useLocalServer } from '../helpers/server.js';
import { ffmpegOutput } from '../helpers/video-measure.js';

const server = useLocalServer();
const scratch = mkdtempSync(join(tmpdir(), 'sirtrav-edit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Api = (path: string) => string;

const run = runToEnd;

/** The run's video in the scratch folder. */
async function videoFile(runId: string): Promise<string> {
  const file = join(scratch, `${runId}.mp4`);
  writeFileSync(file, (await getVideo(parseId(runId)))!.data);
  return file;
}

/** The MD5 of every decoded frame of a video's picture. */
async function frameHashes(runId: string): Promise<string[]> {
  const ffmpeg = (await findFfmpeg())!.path;
  const text = (
    await ffmpegOutput(ffmpeg, ['-i', await videoFile(runId), '-map', '0:v', '-f', 'framemd5', '-'])
  ).toString();
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}

describe('an edit renders only what changed', () => {
  let api: Api;
  let source: RunState;

  it('a replace of one middle shot of a 40 s 720p video copies every other frame byte for byte', async () => {
    ({ api } = await createProjectOverHttp(server.current.url));
    await uploadPhotos(api, 8, 300);
    ({ state: source } = await run(api, { durationSec: 40, resolution: '720p', title: 'Lisbon', narration: true }));
    const [added] = await uploadPhotos(api, 1, 390);
    const shots = source.storyboard!.shots;
    const middle = Math.floor(shots.length / 2);
    const { state: edited, events } = await run(api, {
      editOf: source.runId,
      edits: [{ op: 'replace', shot: middle, mediaId: added!.mediaId }],
    });
    expect(edited.storyboard!.shots.map((shot) => shot.mediaId)).toEqual(
      shots.map((shot, i) => (i === middle ? added!.mediaId : shot.mediaId)),
    );
    // The new photo is framed from its analysis at upload, as the director frames any photo.
    const replaced = edited.storyboard!.shots[middle]!;
    expect(replaced.focus).toEqual(added!.analysis!.focus);
    expect(replaced.focus).not.toBeNull();
    expect(replaced.framingReason).toMatch(/^(subject_fits|subject_too_large)$/);
    const [before, after] = [await frameHashes(source.runId), await frameHashes(edited.runId)];
    expect(after).toHaveLength(before.length);
    // The shot's frames, its transitions included: the only ones drawn again.
    const span = frameSpans(shots, fpsOf(source.storyboard!))[middle]!;
    const differing = after.flatMap((hash, frame) => (hash === before[frame] ? [] : [frame]));
    expect(differing.length).toBeGreaterThan((span.end - span.start) / 2);
    expect(differing.every((frame) => frame >= span.start && frame < span.end)).toBe(true);
    const reused = edited.outputs!.video!.reused!;
    expect(reused.of).toBe(before.length);
    expect(reused.frames).toBe(before.length - (span.end - span.start));
    expect(reused.frames / reused.of).toBeGreaterThan(0.75);
    expect(reused.fallback).toBeUndefined();
    expect(
      events.some((event) => event.agent === 'compose' && /copying \d+ of \d+ frames/.test(event.message ?? '')),
    ).toBe(true);
  }, 600_000);

  it('a narration edit says one line again: the others stay where they were, the mix at -16 LUFS', async () => {
    const lines = source.storyboard!.narration.segments!;
    expect(lines.length).toBeGreaterThan(1);
    const { state: edited } = await run(api, {
      editOf: source.runId,
      edits: [{ op: 'narration', line: 1, text: 'And then the trams climbed the hill.' }],
    });
    expect(edited.storyboard!.narration.segments![1]!.text).toBe('And then the trams climbed the hill.');
    expect(edited.outputs!.video!.reused).toEqual({ frames: expect.any(Number), of: expect.any(Number) });
    expect(edited.outputs!.video!.reused!.frames).toBe(edited.outputs!.video!.reused!.of);
    const [timingBefore, timingAfter] = await Promise.all([
      readNarrationTiming(source.projectId, source.runId),
      readNarrationTiming(edited.projectId, edited.runId),
    ]);
    const others = (timing: typeof timingBefore) => timing!.filter((line) => line.startSec !== lines[1]!.startSec);
    expect(others(timingAfter)).toEqual(others(timingBefore));
    // Outside line 1 the voice track is the source's, sample for sample.
    const voice = async (state: RunState) =>
      decodeWav((await getBinary(keys.voice(state.projectId, state.runId, 'wav')))!.data)!.channels[0]!;
    const [voiceBefore, voiceAfter] = [await voice(source), await voice(edited)];
    const rate = voiceBefore.length / source.storyboard!.durationSec;
    const line1 = [Math.round(lines[1]!.startSec * rate), Math.round((lines[2]?.startSec ?? 40) * rate)];
    // Up to the 16-bit quantisation of a track decoded and written again.
    const largestChange = (from: number, to = voiceBefore.length) => {
      let largest = 0;
      for (let i = from; i < to; i++) largest = Math.max(largest, Math.abs(voiceAfter[i]! - voiceBefore[i]!));
      return largest;
    };
    expect(largestChange(0, line1[0])).toBeLessThan(1e-4);
    expect(largestChange(line1[1]!)).toBeLessThan(1e-4);
    expect(largestChange(line1[0]!, line1[1])).toBeGreaterThan(0.01);
    const loudness = ebur128((await findFfmpeg())!.path, await videoFile(edited.runId));
    expect(Math.abs(loudness.integratedLufs + 16)).toBeLessThanOrEqual(1);
  }, 600_000);

  it('a source whose video is gone is rendered in full, and the run says so', async () => {
    await deleteVideo(source.runId);
    const { state: edited, events } = await run(api, { editOf: source.runId, edits: [{ op: 'title', text: 'Porto' }] });
    expect(edited.outputs!.video!.reused).toMatchObject({
      frames: 0,
      fallback: expect.stringMatching(/no longer stored/),
    });
    expect(events.some((event) => event.agent === 'compose' && event.status === 'fallback')).toBe(true);
  }, 600_000);
});
