import { describe, expect, it } from 'vitest';
import { appendProgress, readProgress } from '../../src/progress/event-log.js';
import { parseId } from '../../src/storage/index.js';
import { useBlobsSandbox } from '../helpers/blobs.js';

useBlobsSandbox();

let counter = 0;
const ids = () => ({ p: parseId('proj_log'), r: parseId(`run_${++counter}`) });

describe('progress log', () => {
  it('numbers events from 1 and never lets progress decrease', async () => {
    const { p, r } = ids();
    await appendProgress(p, r, { agent: 'director', status: 'started', progress: 0.1 });
    await appendProgress(p, r, { agent: 'voice', status: 'progress', progress: 0.05, message: 'late writer' });
    const [third] = await appendProgress(p, r, { agent: 'music', status: 'progress', progress: 0.4 });
    const { events } = await readProgress(p, r);
    expect(events.map((e) => [e.seq, e.progress])).toEqual([
      [1, 0.1],
      [2, 0.1],
      [3, 0.4],
    ]);
    expect(third).toMatchObject({ seq: 3, agent: 'music' });
    expect(Date.parse(events[0]!.ts)).not.toBeNaN();
  });

  it('250 appended events leave exactly the newest 200 with contiguous seqs', async () => {
    const { p, r } = ids();
    for (let batch = 0; batch < 25; batch++) {
      await appendProgress(
        p,
        r,
        ...Array.from({ length: 10 }, (_, i) => ({
          agent: 'compose' as const,
          status: 'progress',
          progress: (batch * 10 + i) / 250,
        })),
      );
    }
    const view = await readProgress(p, r);
    expect(view.events).toHaveLength(200);
    expect(view.events.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 51));
    expect(view).toMatchObject({ dropped: 50, lastSeq: 250, firstSeq: 51 });
    expect((await readProgress(p, r, { afterSeq: 240 })).events.map((e) => e.seq)).toEqual([
      241, 242, 243, 244, 245, 246, 247, 248, 249, 250,
    ]);
  });

  it('20 concurrent appenders × 10 events give 200 events, no seq twice', async () => {
    const { p, r } = ids();
    await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        (async () => {
          for (let i = 0; i < 10; i++)
            await appendProgress(p, r, { agent: 'pipeline', status: 'progress', progress: 0, data: { writer, i } });
        })(),
      ),
    );
    const { events, dropped } = await readProgress(p, r);
    expect(dropped).toBe(0);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const seen = new Set(events.map((e) => `${String(e.data!.writer)}:${String(e.data!.i)}`));
    expect(seen.size).toBe(200);
  });

  it('keeps the terminal event at the cap and closes the log after it', async () => {
    const { p, r } = ids();
    for (let i = 0; i < 20; i++) {
      await appendProgress(
        p,
        r,
        ...Array.from({ length: 10 }, () => ({ agent: 'compose' as const, status: 'progress', progress: 0.5 })),
      );
    }
    await appendProgress(p, r, { agent: 'pipeline', status: 'failed', progress: 0.5, message: 'ffmpeg exited 1' });
    expect(await appendProgress(p, r, { agent: 'pipeline', status: 'complete', progress: 1 })).toEqual([]);
    const view = await readProgress(p, r);
    expect(view.events).toHaveLength(200);
    expect(view.events.at(-1)).toMatchObject({ seq: 201, status: 'failed', agent: 'pipeline' });
    expect(view).toMatchObject({ terminal: true, dropped: 1, lastSeq: 201 });
  });
});
