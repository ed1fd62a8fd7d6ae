/** Look-ahead (and hold) of the limiter: gain reaches its floor before the peak does. */
const LOOKAHEAD_SEC = 0.008;
/** How fast gain may recover after a peak: slow enough not to pump or distort bass. */
const RELEASE_SEC = 0.15;

/** Minimum of `values` over [i - radius, i + radius] for every i (monotonic queue, linear time). */
function slidingMin(values: Float32Array, radius: number): Float32Array {
  const out = new Float32Array(values.length);
  const queue = new Int32Array(values.length);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < values.length; i++) {
    const right = Math.min(values.length - 1, i + radius);
    for (; next <= right; next++) {
      while (tail > head && values[queue[tail - 1]!]! >= values[next]!) tail--;
      queue[tail++] = next;
    }
    while (queue[head]! < i - radius) head++;
    out[i] = values[queue[head]!]!;
  }
  return out;
}

/**
 * The gain curve of a look-ahead limiter from the gain each sample needs
 * (1 where it needs none). Built so gain[i] never exceeds needed[i]: a sliding
 * minimum over ±r, then a moving average over ±r (every averaged value's window
 * holds i), then a release that may only rise slowly.
 */
export function shapeGain(needed: Float32Array, sampleRate: number): Float32Array {
  const frames = needed.length;
  const radius = Math.max(1, Math.round(LOOKAHEAD_SEC * sampleRate));
  const held = slidingMin(needed, radius);
  const prefix = new Float64Array(frames + 1);
  for (let i = 0; i < frames; i++) prefix[i + 1] = prefix[i]! + held[i]!;
  const gain = new Float32Array(frames);
  const rise = 1 / (RELEASE_SEC * sampleRate);
  let previous = 1;
  for (let i = 0; i < frames; i++) {
    const lo = Math.max(0, i - radius);
    const hi = Math.min(frames, i + radius + 1);
    const smooth = (prefix[hi]! - prefix[lo]!) / (hi - lo);
    previous = Math.min(smooth, previous + rise);
    gain[i] = previous;
  }
  return gain;
}
