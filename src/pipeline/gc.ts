/**
 * Gives back the memory of what is no longer referenced, now. V8 collects when
 * JavaScript allocates, so a render process that has just made the music and
 * the voice, or mixed a soundtrack and then waits on its segments, would hold
 * that garbage (about 250 MB for three minutes) into its next phase. Render processes are started with
 * `--expose-gc` (pipeline-process.ts); elsewhere this does nothing.
 */
export function collectGarbage(): void {
  globalThis.gc?.();
}
