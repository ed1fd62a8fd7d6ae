/** The part of a byte stream from `start` to `end` inclusive; the rest of the source is cancelled. */
export function sliceStream(
  source: ReadableStream<Uint8Array>,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let position = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const chunkStart = position;
        position += value.byteLength;
        if (position <= start) continue;
        const from = Math.max(0, start - chunkStart);
        const to = Math.min(value.byteLength, end + 1 - chunkStart);
        if (to > from) controller.enqueue(value.subarray(from, to));
        if (position > end) {
          await reader.cancel();
          return controller.close();
        }
        return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
