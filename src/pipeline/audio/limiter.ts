/** Look-ahead (and hold) of the limiter: gain reaches its floor before the peak does. */
const LOOKAHEAD_SEC = 0.008;
/** How fast gain may recover after a peak: slow enough not to pump or distort bass. */
const RELEASE_SEC = 0.15;

/**
 * Minimum of `values` over [i - radius, i + radius] for every i, in place
 * (monotonic queue, linear time). The queue holds at most 2·radius + 1
 * candidates, with their values, so a value is read before its slot is
 * overwritten and nothing as long as the audio is allocated.
 */
function slidingMinInPlace(values: Float32Array, radius: number): void {
  const size = 2 * radius + 2;
  const at = new Int32Array(size);
  const held = new Float32Array(size);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < values.length; i++) {
    const right = Math.min(values.length - 1, i + radius);
    for (; next <= right; next++) {
      const value = values[next]!;
      while (tail > head && held[(tail - 1) % size]! >= value) tail--;
      at[tail % size] = next;
      held[tail % size] = value;
      tail++;
    }
    while (at[head % size]! < i - radius) head++;
    values[i] = held[head % size]!;
  }
}

/**
 * The gain curve of a look-ahead limiter from the gain each sample needs
 * (1 where it needs none), into `gain`; `needed` is used as scratch. Built so
 * gain[i] never exceeds needed[i]: a sliding minimum over ±r, then a moving
 * average over ±r (every averaged value's window holds i), then a release that
 * may only rise slowly.
 */
export function shapeGain(needed: Float32Array, sampleRate: number, gain: Float32Array = new Float32Array(needed.length)): Float32Array {
  const frames = needed.length;
  const radius = Math.max(1, Math.round(LOOKAHEAD_SEC * sampleRate));
  // `needed` becomes the held minimum; the moving average reads it into `gain`.
  slidingMinInPlace(needed, radius);
  const held = needed;
  const rise = 1 / (RELEASE_SEC * sampleRate);
  let previous = 1;
  let sum = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < frames; i++) {
    const from = Math.max(0, i - radius);
    const to = Math.min(frames, i + radius + 1);
    for (; hi < to; hi++) sum += held[hi]!;
    for (; lo < from; lo++) sum -= held[lo]!;
    previous = Math.min(sum / (to - from), previous + rise);
    gain[i] = previous;
  }
  return gain;
}
