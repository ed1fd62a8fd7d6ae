import cliProgress from 'cli-progress';

export interface ProgressReporter {
  start(task: string, total: number): void;
  /** `done` of `total` items, `bytes` moved so far. */
  update(done: number, bytes: number, note?: string): void;
  stop(): void;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** A progress bar on a terminal; one JSON line per update otherwise (logs, CI, pipes). */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stdout): ProgressReporter {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{task} [{bar}] {percentage}% | {value}/{total} | {moved} {note}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let task = '';
    return {
      start: (name, total) => {
        task = name;
        bar.start(total, 0, { task, moved: megabytes(0), note: '' });
      },
      update: (done, bytes, note = '') => bar.update(done, { task, moved: megabytes(bytes), note }),
      stop: () => bar.stop(),
    };
  }
  let task = '';
  let total = 0;
  let last = 0;
  const line = (fields: Record<string, unknown>) =>
    stream.write(`${JSON.stringify({ ts: new Date().toISOString(), task, ...fields })}\n`);
  return {
    start: (name, count) => {
      task = name;
      total = count;
      line({ event: 'start', total });
    },
    update: (done, bytes, note) => {
      // At most ~4 lines a second, and always the last one.
      if (done < total && Date.now() - last < 250) return;
      last = Date.now();
      line({ event: 'progress', done, total, bytes, ...(note ? { note } : {}) });
    },
    stop: () => line({ event: 'stop' }),
  };
}

/** No output at all (tests and library callers). */
export const silentProgress: ProgressReporter = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};
