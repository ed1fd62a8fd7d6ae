/** Look-ahead (and hold) of the limiter: gain reaches its floor before the peak does. */
const LOOKAHEAD_SEC = 0.008;
/** How fast gain may recover after a peak: slow enough not to pump or distort bass. */
const RELEASE_SEC = 0.15;

const lookahead = (sampleRate: number) => Math.max(1, Math.round(LOOKAHEAD_SEC * sampleRate));

/**
 * Maximum of `values` over [i - radius, i + radius] for every i, in place
 * (monotonic queue, linear time). The queue holds at most 2·radius + 1
 * candidates, with their values, so a value is read before its slot is
 * overwritten and nothing as long as the audio is allocated.
 */
function slidingMaxInPlace(values: Float32Array, radius: number): void {
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
      while (tail > head && held[(tail - 1) % size]! <= value) tail--;
      at[tail % size] = next;
      held[tail % size] = value;
      tail++;
    }
    while (at[head % size]! < i - radius) head++;
    values[i] = held[head % size]!;
  }
}

/**
 * A look-ahead limiter for one signal, tried at several static gains. It is
 * made from the signal's (stereo-linked) true peaks, which it takes over and
 * holds over the look-ahead window: the gain a sample needs falls as its
 * peak rises, so the least gain needed around a sample is the gain its held
 * peak needs, and nothing else as long as the audio is kept.
 */
export class Limiter {
  private readonly radius: number;
  private readonly rise: number;

  constructor(
    private readonly heldPeaks: Float32Array,
    sampleRate: number,
    private readonly ceiling: number,
  ) {
    this.radius = lookahead(sampleRate);
    this.rise = 1 / (RELEASE_SEC * sampleRate);
    slidingMaxInPlace(heldPeaks, this.radius);
  }

  /**
   * The gain curve at `staticGain`, into `gain`: the gain each sample needs
   * (1 where it needs none) held at its minimum over ±r, then a moving average
   * over ±r (every averaged value's window holds i), then a release that may
   * only rise slowly; times the static gain. So the limited signal never
   * exceeds the ceiling.
   */
  curve(staticGain: number, gain: Float32Array): Float32Array {
    const { heldPeaks, radius, rise, ceiling } = this;
    const frames = heldPeaks.length;
    const needs = (k: number) => {
      const peak = heldPeaks[k]! * staticGain;
      return Math.fround(peak > ceiling ? ceiling / peak : 1);
    };
    let previous = 1;
    let sum = 0;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < frames; i++) {
      const from = Math.max(0, i - radius);
      const to = Math.min(frames, i + radius + 1);
      for (; hi < to; hi++) sum += needs(hi);
      for (; lo < from; lo++) sum -= needs(lo);
      previous = Math.min(sum / (to - from), previous + rise);
      gain[i] = Math.fround(previous) * staticGain;
    }
    return gain;
  }
}
