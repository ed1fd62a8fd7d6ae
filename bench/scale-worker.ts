/**
 * One piece of a render in a process of its own, for `npm run bench scale`:
 * `whole` (the single-invocation compose), `segment` (one segment's picture),
 * `soundtrack` (mix and encode once) or `join` (stream-copy the segments under
 * the soundtrack, check, poster). Reads the job as JSON from argv, prints the
 * milliseconds it took as JSON. Photos and audio come from the Blobs server
 * the parent started (its context is inherited).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readMediaBytes } from '../src/media/library.js';
import { writeSoundtrack } from '../src/render/sound/soundtrack.js';
import { ComposeWorkspace } from '../src/render/video/workspace.js';
import { SOUNDTRACK_AAC } from '../src/render/sound/audio-graph.js';
import { runFfmpeg } from '../src/render/ffmpeg.js';
import { concatList, joinArgs } from '../src/render/video/segment.js';
import { storyboardSchema } from '../src/schemas/run.js';
import { getBinary, keys, parseId } from '../src/storage/index.js';
import { useLocalBlobsFetchIfAsked } from '../src/storage/local-fetch.js';

const jobSchema = z.object({
  mode: z.enum(['whole', 'segment', 'soundtrack', 'join']),
  projectId: z.string(),
  runId: z.string(),
  ffmpeg: z.string(),
  storyboard: storyboardSchema,
  range: z.object({ from: z.number(), to: z.number() }).optional(),
  files: z.array(z.string()).default([]),
  output: z.string(),
});

useLocalBlobsFetchIfAsked();
const job = jobSchema.parse(JSON.parse(process.argv[2]!));
const projectId = parseId(job.projectId);
const runId = parseId(job.runId);
const load = (mediaId: string) => readMediaBytes(projectId, parseId(mediaId));
const audio = async () => ({
  music: (await getBinary(keys.music(projectId, runId, 'wav')))!.data,
  voice: (await getBinary(keys.voice(projectId, runId, 'wav')))?.data ?? null,
});

const workspace = await ComposeWorkspace.create();
const started = performance.now();
try {
  if (job.mode === 'whole') {
    await workspace.prepareShots(job.storyboard, load);
    const video = await workspace.render(job.storyboard, await audio(), job.ffmpeg);
    await writeFile(job.output, video.mp4);
  } else if (job.mode === 'segment') {
    await workspace.prepareShots(
      job.storyboard,
      load,
      undefined,
      ComposeWorkspace.shotsFor(job.storyboard, job.range!),
    );
    await copyFile(await workspace.renderPicture(job.storyboard, job.range!, job.ffmpeg), job.output);
  } else if (job.mode === 'soundtrack') {
    await writeSoundtrack(workspace.dir, job.storyboard.durationSec, await audio(), job.ffmpeg);
    await copyFile(join(workspace.dir, SOUNDTRACK_AAC), job.output);
  } else {
    const [soundtrack, ...pictures] = job.files;
    await copyFile(soundtrack!, join(workspace.dir, SOUNDTRACK_AAC));
    const list = join(workspace.dir, 'segments.txt');
    await writeFile(list, concatList(pictures));
    await runFfmpeg(
      job.ffmpeg,
      joinArgs({ dir: workspace.dir, listFile: list, durationSec: job.storyboard.durationSec, output: job.output }),
    );
  }
  console.log(JSON.stringify({ ms: performance.now() - started }));
} finally {
  await workspace.dispose();
}
