import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();

describe('hostile text reaching the render', () => {
  it('narration and theme full of shell and filter-graph syntax render as plain words and run nothing', async () => {
    const sentinel = join(tmpdir(), `sirtrav-pwned-${process.pid}-${Date.now()}`);
    const narration = [
      "It's 5 o'clock: time; [to] go.",
      `Now $(touch ${sentinel}-a) and \`touch ${sentinel}-b\`.`,
      "%{pts} %{localtime} [0:v]drawtext=text='x' ; rm -rf / ; $(reboot)",
      '\';"; exit 1; echo \\\\ | cat /etc/passwd > /dev/null',
    ].join('\n');
    const theme = `Trip [x]; $(touch ${sentinel}-c) 'quoted' %{n}`;
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 800);
    const response = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 8, resolution: '360p', narration, theme }),
    });
    expect(response.status).toBe(202);
    const { links } = (await response.json()) as { links: { progress: string; video: string } };
    const final = await followProgress(links.progress, { onEvent: () => undefined });
    expect(final?.status, JSON.stringify(final)).toBe('complete');
    // The request is kept verbatim; the spoken lines (placed per scene, so ones that do not fit are dropped) are its sentences, untouched.
    expect(final!.request.narration).toBe(narration);
    const spoken = final!.storyboard!.narration.segments ?? [];
    expect(spoken.length).toBeGreaterThanOrEqual(2);
    for (const line of spoken) expect(narration.replace(/\s+/g, ' ')).toContain(line.text);
    expect(spoken.some((line) => line.text.includes('$(touch'))).toBe(true);
    expect(final!.storyboard!.theme).toBe(theme);
    expect(final!.outputs!.voice!.durationSec).toBeGreaterThan(1);
    const video = await fetch(links.video);
    expect(video.status).toBe(200);
    for (const suffix of ['-a', '-b', '-c']) expect(existsSync(sentinel + suffix), suffix).toBe(false);
  });
});
